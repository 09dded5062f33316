/**
 * The controller's job REST API ({@code /api/v1}) on the JDK's {@code com.sun.net.httpserver}:
 * routing, bearer-token check, bounded body reading, JSON mapping with Jackson, and the mapping of
 * core errors to HTTP statuses. The wire model ({@link io.osapi.app.api.ApiModel}) is shared with
 * the command-line job client.
 */
package io.osapi.app.api;
