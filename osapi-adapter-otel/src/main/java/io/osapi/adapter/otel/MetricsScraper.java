package io.osapi.adapter.otel;

/**
 * Renders the current metrics for one scrape. This is all an HTTP layer needs from the metrics
 * backend; it carries no OpenTelemetry type.
 */
@FunctionalInterface
public interface MetricsScraper {

  /**
   * Collects and renders the metrics.
   *
   * <p>Implementations do not throw: a failure is returned as {@link ScrapeResult#failure(String)},
   * which the HTTP layer answers with status 500 and the message as a short {@code text/plain}
   * body.
   *
   * @param acceptHeader the request's {@code Accept} header, or null; OpenMetrics text is rendered
   *     when it accepts {@code application/openmetrics-text}, else the Prometheus text format 0.0.4
   */
  ScrapeResult scrape(String acceptHeader);
}
