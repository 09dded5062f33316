package io.osapi.adapter.otel;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * The series of the workers connected in this process, for {@link OtelJobMetrics}: {@code
 * osapi_workers_connected}, {@code osapi_worker_concurrency} (both only in a process that runs a
 * worker) and {@code osapi_worker_jobs_processed_total{worker}}, an observable counter fed from a
 * map of {@link LongAdder}s: when a worker disconnects its entry is removed, and its series is not
 * exported from the next collection on. At most {@code maxWorkers} workers get a series of their
 * own; the others, and jobs that end after their worker left, share {@code worker="other"}.
 */
final class WorkerSeries {
  /** One connected worker; {@code attributes} is null when it shares the {@code other} series. */
  private record WorkerSlot(Attributes attributes, LongAdder processed, int concurrency) {}

  private final ConcurrentHashMap<String, WorkerSlot> workers = new ConcurrentHashMap<>();
  private final int maxWorkers;
  private final LongAdder otherProcessed = new LongAdder();
  private final Attributes otherAttributes = Attributes.of(Labels.WORKER, Labels.OTHER);

  WorkerSeries(int maxWorkers) {
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers must be at least 1: " + maxWorkers);
    }
    this.maxWorkers = maxWorkers;
  }

  /** Registers the three instruments on {@code meter}; the gauges report while {@code on} is true. */
  void register(Meter meter, BooleanSupplier on, List<AutoCloseable> observables) {
    observables.add(
        meter
            .gaugeBuilder(OtelJobMetrics.WORKERS_CONNECTED)
            .ofLongs()
            .setDescription("Workers in this process whose subscription is live.")
            .setUnit("{worker}")
            .buildWithCallback(
                m -> {
                  if (on.getAsBoolean()) {
                    m.record(workers.size());
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(OtelJobMetrics.WORKER_CONCURRENCY)
            .ofLongs()
            .setDescription("Job slots this process offers (utilisation = active / concurrency).")
            .setUnit("{slot}")
            .buildWithCallback(
                m -> {
                  if (on.getAsBoolean()) {
                    m.record(totalConcurrency());
                  }
                })
            ::close);
    observables.add(
        meter
            .counterBuilder(OtelJobMetrics.WORKER_JOBS_PROCESSED)
            .setDescription("Jobs this worker finished, whatever the outcome.")
            .setUnit("{job}")
            .buildWithCallback(
                m -> {
                  for (WorkerSlot slot : workers.values()) {
                    if (slot.attributes() != null) {
                      m.record(slot.processed().sum(), slot.attributes());
                    }
                  }
                  long other = otherProcessed.sum();
                  if (other > 0) {
                    m.record(other, otherAttributes);
                  }
                })
            ::close);
  }

  /** A worker connected (again) with {@code concurrency} slots. */
  void connected(String workerId, int concurrency) {
    int slots = Math.max(0, concurrency);
    workers.compute(
        workerId,
        (id, existing) -> {
          if (existing != null) {
            return new WorkerSlot(existing.attributes(), existing.processed(), slots);
          }
          if (Labels.isValidLabel(id) && workers.size() < maxWorkers) {
            return new WorkerSlot(Attributes.of(Labels.WORKER, id), new LongAdder(), slots);
          }
          return new WorkerSlot(null, otherProcessed, slots);
        });
  }

  /** A worker left: its series goes away. */
  void disconnected(String workerId) {
    workers.remove(workerId);
  }

  /** A job of {@code workerId} (null or gone: {@code other}) finished. */
  void processed(String workerId) {
    WorkerSlot slot = workerId == null ? null : workers.get(workerId);
    if (slot != null) {
      slot.processed().increment();
    } else {
      otherProcessed.increment();
    }
  }

  private long totalConcurrency() {
    long sum = 0;
    for (WorkerSlot slot : workers.values()) {
      sum += slot.concurrency();
    }
    return sum;
  }
}
