/**
 * HTTP server metrics for a JDK {@code com.sun.net.httpserver} server, following the OTel HTTP
 * semantic conventions through {@code opentelemetry-instrumentation-api}; the app gets the filter
 * from {@link io.osapi.adapter.otel.OtelMetricsBackend#httpServerFilter}.
 */
package io.osapi.adapter.otel.http;
