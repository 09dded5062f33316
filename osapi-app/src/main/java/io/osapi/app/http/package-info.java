/**
 * The HTTP side of the app that is about operations, not jobs: the {@code /metrics} and health
 * endpoints ({@link io.osapi.app.http.MetricsHttpServer}). It renders through {@link
 * io.osapi.adapter.otel.MetricsScraper} and depends on no OpenTelemetry type; the REST API's HTTP
 * server metrics filter comes from the OTel adapter ({@code OtelMetricsBackend.httpServerFilter}).
 */
package io.osapi.app.http;
