/**
 * The job client over HTTP: {@link io.osapi.app.client.ControllerClient} calls a running
 * controller's REST API with {@code java.net.http} and returns the API's wire model; failures are
 * {@link io.osapi.app.client.ControllerException}s with the HTTP status and the API's message.
 */
package io.osapi.app.client;
