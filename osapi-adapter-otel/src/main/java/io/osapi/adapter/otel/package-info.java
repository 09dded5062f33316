/**
 * The OpenTelemetry metrics adapter.
 *
 * <p>{@link io.osapi.adapter.otel.OtelJobMetrics} implements the core's {@link
 * io.osapi.core.port.JobMetrics} port on the OpenTelemetry metrics API only (no SDK class). {@link
 * io.osapi.adapter.otel.OtelMetricsBackend} owns the SDK: the meter provider, the Prometheus reader
 * (registered in a Prometheus client_java {@code PrometheusRegistry}), the bucket views, the JVM
 * runtime metrics and the optional OTLP push. The HTTP layer of the app depends on no type of this
 * package: it serves the client_java registry with client_java's scrape handler.
 *
 * <p>The exposition names are fixed by the metrics contract ({@code docs/metrics.md}); the
 * instrument names here are chosen so that the Prometheus exporter, with {@link
 * io.opentelemetry.exporter.prometheus.TranslationStrategy#NO_UTF8_ESCAPING_WITH_SUFFIXES} and
 * underscore escaping when written, produces exactly those names.
 */
package io.osapi.adapter.otel;
