/**
 * The OpenTelemetry metrics adapter.
 *
 * <p>{@link io.osapi.adapter.otel.OtelJobMetrics} implements the core's {@link
 * io.osapi.core.port.JobMetrics} port on the OpenTelemetry metrics API only (no SDK class). {@link
 * io.osapi.adapter.otel.OtelMetricsBackend} owns the SDK: the meter provider, the Prometheus reader
 * and its rendering ({@link io.osapi.adapter.otel.MetricsScraper}), the bucket views, the JVM
 * runtime metrics and the optional OTLP push. The HTTP layer of the app depends only on {@link
 * io.osapi.adapter.otel.MetricsScraper} and {@link io.osapi.adapter.otel.ScrapeResult}.
 *
 * <p>The exposition names are fixed by the metrics contract ({@code docs/metrics.md}); the
 * instrument names here are chosen so that the Prometheus exporter, with {@link
 * io.opentelemetry.exporter.prometheus.TranslationStrategy#NO_UTF8_ESCAPING_WITH_SUFFIXES} and
 * underscore escaping when written, produces exactly those names.
 */
package io.osapi.adapter.otel;
