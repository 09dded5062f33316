/** The osapi-app entry point ({@link io.osapi.app.Main}). */
package io.osapi.app;
