package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.domain.OperationQueue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code osapi_jobs_pending{operation}} and {@code osapi_job_queue_oldest_age_seconds{operation}}:
 * the jobs not started yet, from the controller's job index, cached here and read by two
 * observable gauges. The operations are those the index reports (the registered ones and {@code
 * other}); at most {@value #MAX_OPERATIONS} series each, so a report can never mint more. No series
 * before the first report.
 */
final class OperationQueueGauges {
  /** Most operation series each gauge exports (the rest of a report is dropped, logged once). */
  static final int MAX_OPERATIONS = 1024;

  private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
  private static final System.Logger LOG = System.getLogger(OperationQueueGauges.class.getName());

  private record Entry(Attributes attributes, long pending, double oldestSeconds) {}

  private volatile List<Entry> entries = List.of();
  private volatile boolean capLogged;

  /** Registers both gauges on {@code meter}; each is added to {@code observables}. */
  OperationQueueGauges(Meter meter, List<AutoCloseable> observables) {
    observables.add(meter.gaugeBuilder(OtelFleetMetrics.JOBS_PENDING).ofLongs()
        .setDescription("Jobs not started yet (status submitted), by operation, from the job"
            + " index.")
        .setUnit("{job}")
        .buildWithCallback(m -> entries.forEach(e -> m.record(e.pending(), e.attributes())))
        ::close);
    observables.add(meter.gaugeBuilder(OtelFleetMetrics.JOB_QUEUE_OLDEST_AGE)
        .setDescription("Seconds the oldest job not started yet has waited since it was created,"
            + " by operation; 0 when none waits.")
        .setUnit("s")
        .buildWithCallback(m -> entries.forEach(e -> m.record(e.oldestSeconds(), e.attributes())))
        ::close);
  }

  /** Replaces the cached values with {@code byOperation}. */
  void report(Map<String, OperationQueue> byOperation) {
    if (byOperation == null) {
      return;
    }
    List<Entry> next = new ArrayList<>(Math.min(byOperation.size(), MAX_OPERATIONS));
    for (Map.Entry<String, OperationQueue> e : byOperation.entrySet()) {
      if (next.size() == MAX_OPERATIONS) {
        if (!capLogged) {
          capLogged = true;
          LOG.log(System.Logger.Level.WARNING, "{0} operations reported for osapi_jobs_pending;"
              + " only the first {1} are exported", byOperation.size(), MAX_OPERATIONS);
        }
        break;
      }
      if (e.getKey() != null && e.getValue() != null) {
        next.add(new Entry(Attributes.of(OPERATION, e.getKey()), e.getValue().pending(),
            e.getValue().oldestAge().toMillis() / 1000.0));
      }
    }
    entries = List.copyOf(next);
  }
}
