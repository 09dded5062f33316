/**
 * The HTTP side of the app that is about operations, not jobs: the {@code /metrics} and health
 * endpoints ({@link io.osapi.app.http.MetricsHttpServer}). It serves a Prometheus
 * client_java {@code PrometheusRegistry} with client_java's scrape handler and depends on no
 * OpenTelemetry type and no adapter; the REST API's HTTP
 * server metrics filter comes from the OTel adapter ({@code OtelMetricsBackend.httpServerFilter}).
 */
package io.osapi.app.http;
