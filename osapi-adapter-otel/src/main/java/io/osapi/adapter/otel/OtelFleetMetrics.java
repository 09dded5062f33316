package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.ObservableLongMeasurement;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.port.FleetMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * {@link FleetMetrics} on the OpenTelemetry metrics API: a controller's background views, cached
 * here and read by observable gauges. {@code osapi_jobs_pending} and {@code
 * osapi_job_queue_oldest_age_seconds} by operation ({@link OperationQueueGauges}), {@code
 * osapi_jobs_ack_pending}
 * and the job index gauges exist once a value was reported; {@code osapi_workers_by_state} once
 * refreshed, then with all three states; {@code osapi_worker_heartbeat_age_seconds} has a series
 * per registered worker of the latest refresh (at most {@value #MAX_HEARTBEAT_WORKERS}, by worker
 * id order), and {@code osapi_workers_stale} counts every worker of it whose heartbeat is older than
 * {@link #STALE_AFTER}, however many there are. Never throws.
 */
public final class OtelFleetMetrics implements FleetMetrics, AutoCloseable {
  /** Instrument name of {@code osapi_jobs_pending}. */
  public static final String JOBS_PENDING = "osapi.jobs.pending";

  /** Instrument name of {@code osapi_job_queue_oldest_age_seconds}. */
  public static final String JOB_QUEUE_OLDEST_AGE = "osapi.job.queue_oldest_age";

  /** Instrument name of {@code osapi_jobs_ack_pending}. */
  public static final String JOBS_ACK_PENDING = "osapi.jobs.ack_pending";

  /** Instrument name of {@code osapi_job_index_jobs}. */
  public static final String JOB_INDEX_JOBS = "osapi.job_index.jobs";

  /** Instrument name of {@code osapi_job_index_lag}. */
  public static final String JOB_INDEX_LAG = "osapi.job_index.lag";

  /** Instrument name of {@code osapi_worker_heartbeat_age_seconds}. */
  public static final String WORKER_HEARTBEAT_AGE = "osapi.worker.heartbeat_age";

  /** Instrument name of {@code osapi_workers_by_state}. */
  public static final String WORKERS_BY_STATE = "osapi.workers.by_state";

  /** Instrument name of {@code osapi_job_store_usage_ratio}. */
  public static final String JOB_STORE_USAGE = "osapi.job_store.usage_ratio";

  /** Instrument name of {@code osapi_job_store_full}. */
  public static final String JOB_STORE_FULL = "osapi.job_store.full";

  /** Instrument name of {@code osapi_worker_clock_skew_seconds}. */
  public static final String WORKER_CLOCK_SKEW = "osapi.worker.clock_skew";

  /** Instrument name of {@code osapi_worker_entries_invalid}. */
  public static final String WORKER_ENTRIES_INVALID = "osapi.worker.entries_invalid";

  /** Instrument name of {@code osapi_workers_stale}. */
  public static final String WORKERS_STALE = "osapi.workers.stale";

  /**
   * Most workers reported in {@code osapi_worker_heartbeat_age_seconds} and in {@code
   * osapi_worker_clock_skew_seconds} (by worker id order; a warning is logged when the fleet is
   * larger); {@code osapi_workers_stale} counts all of them.
   */
  public static final int MAX_HEARTBEAT_WORKERS = 1024;

  /** A worker whose heartbeat is older than this is counted in {@code osapi_workers_stale}. */
  public static final Duration STALE_AFTER = Duration.ofSeconds(30);

  private static final System.Logger LOG = System.getLogger(OtelFleetMetrics.class.getName());

  private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
  private static final Attributes[] STATE_ATTRIBUTES = stateAttributes();

  /** One heartbeat-age series, computed in the background refresh. */
  private record HeartbeatAge(Attributes attributes, double seconds) {}

  private final InternalErrors errors;
  private final List<AutoCloseable> observables = new ArrayList<>();
  private volatile long ackPending = -1;
  private final OperationQueueGauges queues;
  private volatile long indexJobs = -1;
  private volatile long indexLag = -1;
  private volatile List<HeartbeatAge> heartbeatAges = List.of();
  /** The job store's usage (NaN: never reported) and whether it is full (-1: never reported). */
  private volatile double storeUsage = Double.NaN;
  private volatile long storeFull = -1;
  private volatile List<HeartbeatAge> clockSkews = List.of();
  private volatile long entriesInvalid = -1;
  /** Registered workers by state (index: ordinal), null until the first refresh. */
  private volatile long[] byState;
  /** Registered workers with a stale heartbeat, -1 until the first refresh. */
  private volatile long stale = -1;
  private volatile boolean capLogged;

  /** Creates the instruments on {@code meter}. */
  public OtelFleetMetrics(Meter meter) {
    this(meter, new InternalErrors());
  }

  OtelFleetMetrics(Meter meter, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    queues = new OperationQueueGauges(meter, observables);
    level(meter, JOBS_ACK_PENDING, "Job notifications delivered but not yet acknowledged.",
        "{message}", () -> ackPending);
    level(meter, JOB_INDEX_JOBS,
        "Jobs in this controller's job index, the view job listings and stats read.", "{job}",
        () -> indexJobs);
    level(meter, JOB_INDEX_LAG, "Writes to the job store this controller's job index has not"
        + " applied yet (its replay at start included).", "{write}", () -> indexLag);
    level(meter, JOB_STORE_FULL, "1 while the job store refuses new jobs for want of room (its"
        + " bucket past the part kept for runs, or its server's storage full), else 0.", "",
        () -> storeFull);
    observables.add(
        meter
            .gaugeBuilder(JOB_STORE_USAGE)
            .setDescription("Bytes the job store holds over its byte bound (0 without one).")
            .buildWithCallback(m -> {
              double v = storeUsage;
              if (!Double.isNaN(v)) {
                m.record(v);
              }
            })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(WORKER_HEARTBEAT_AGE)
            .setDescription("Seconds since each registered worker's last heartbeat.")
            .setUnit("s")
            .buildWithCallback(
                m -> {
                  for (HeartbeatAge age : heartbeatAges) {
                    m.record(age.seconds(), age.attributes());
                  }
                })
            ::close);
    level(meter, WORKERS_STALE, "Registered workers whose last heartbeat is older than 30 s,"
        + " counted over every worker.", "{worker}", () -> stale);
    observables.add(
        meter
            .gaugeBuilder(WORKER_CLOCK_SKEW)
            .setDescription("How far each registered worker's clock runs ahead of the NATS"
                + " server's (negative: behind), by its latest heartbeat.")
            .setUnit("s")
            .buildWithCallback(
                m -> {
                  for (HeartbeatAge skew : clockSkews) {
                    m.record(skew.seconds(), skew.attributes());
                  }
                })
            ::close);
    level(meter, WORKER_ENTRIES_INVALID, "Entries of the worker registry skipped in its latest"
        + " reading as not valid worker records.", "{entry}", () -> entriesInvalid);
    observables.add(
        meter
            .gaugeBuilder(WORKERS_BY_STATE)
            .ofLongs()
            .setDescription("Registered workers by scheduling state: ready, draining, cordoned.")
            .setUnit("{worker}")
            .buildWithCallback(
                m -> {
                  long[] counts = byState;
                  if (counts != null) {
                    for (int i = 0; i < counts.length; i++) {
                      m.record(counts[i], STATE_ATTRIBUTES[i]);
                    }
                  }
                })
            ::close);
  }

  /** A gauge of a cached level, exported once it is 0 or more (-1: never reported). */
  private void level(Meter meter, String name, String description, String unit, LongSupplier v) {
    observables.add(
        meter
            .gaugeBuilder(name)
            .ofLongs()
            .setDescription(description)
            .setUnit(unit)
            .buildWithCallback((ObservableLongMeasurement m) -> {
              long value = v.getAsLong();
              if (value >= 0) {
                m.record(value);
              }
            })
            ::close);
  }

  @Override
  public void queueBacklog(long pendingCount, long ackPendingCount) {
    ackPending = Math.max(0L, ackPendingCount);
  }

  @Override
  public void jobQueues(Map<String, io.osapi.core.domain.OperationQueue> byOperation) {
    try {
      queues.report(byOperation);
    } catch (RuntimeException e) {
      errors.swallow("jobQueues", e);
    }
  }

  @Override
  public void jobIndex(long jobs, long behind) {
    indexJobs = Math.max(0L, jobs);
    indexLag = Math.max(0L, behind);
  }

  @Override
  public void jobStore(io.osapi.core.domain.StoreUsage usage) {
    if (usage != null) {
      storeUsage = usage.ratio();
      storeFull = usage.full() ? 1 : 0;
    }
  }

  @Override
  public void workerHeartbeatAges(Map<String, Duration> ages) {
    try {
      if (ages == null || ages.isEmpty()) {
        heartbeatAges = List.of();
        stale = 0;
        return;
      }
      long staleNow = 0;
      for (Duration age : ages.values()) {
        if (age != null && age.compareTo(STALE_AFTER) > 0) {
          staleNow++;
        }
      }
      stale = staleNow;
      if (ages.size() > MAX_HEARTBEAT_WORKERS && !capLogged) {
        capLogged = true;
        LOG.log(System.Logger.Level.WARNING, "{0} workers are registered:"
            + " osapi_worker_heartbeat_age_seconds shows the first {1} by id,"
            + " osapi_workers_stale counts them all", ages.size(), MAX_HEARTBEAT_WORKERS);
      }
      List<HeartbeatAge> next = new ArrayList<>(Math.min(ages.size(), MAX_HEARTBEAT_WORKERS));
      // sorted so that the cap keeps the same workers from one refresh to the next
      for (Map.Entry<String, Duration> e : new TreeMap<>(nullFree(ages)).entrySet()) {
        if (next.size() >= MAX_HEARTBEAT_WORKERS) {
          break;
        }
        if (e.getValue() != null && Labels.isValidLabel(e.getKey())) {
          next.add(new HeartbeatAge(
              Attributes.of(Labels.WORKER, e.getKey()), Labels.seconds(e.getValue())));
        }
      }
      heartbeatAges = List.copyOf(next);
    } catch (Throwable t) {
      errors.swallow("workerHeartbeatAges", t);
    }
  }

  @Override
  public void workerClockSkews(Map<String, Duration> skews) {
    try {
      clockSkews = perWorker(skews);
    } catch (Throwable t) {
      errors.swallow("workerClockSkews", t);
    }
  }

  @Override
  public void workerEntriesInvalid(long count) {
    entriesInvalid = Math.max(0L, count);
  }

  /** A series per worker, by id, at most {@value #MAX_HEARTBEAT_WORKERS}; signs kept. */
  private static List<HeartbeatAge> perWorker(Map<String, Duration> values) {
    if (values == null || values.isEmpty()) {
      return List.of();
    }
    List<HeartbeatAge> next = new ArrayList<>(Math.min(values.size(), MAX_HEARTBEAT_WORKERS));
    for (Map.Entry<String, Duration> e : new TreeMap<>(nullFree(values)).entrySet()) {
      if (next.size() >= MAX_HEARTBEAT_WORKERS) {
        break;
      }
      if (e.getValue() != null && Labels.isValidLabel(e.getKey())) {
        next.add(new HeartbeatAge(Attributes.of(Labels.WORKER, e.getKey()),
            e.getValue().toNanos() / 1e9));
      }
    }
    return List.copyOf(next);
  }

  @Override
  public void workersByState(Map<SchedulingState, Long> counts) {
    try {
      long[] next = new long[SchedulingState.values().length];
      if (counts != null) {
        for (Map.Entry<SchedulingState, Long> e : counts.entrySet()) {
          if (e.getKey() != null && e.getValue() != null) {
            next[e.getKey().ordinal()] = Math.max(0L, e.getValue());
          }
        }
      }
      byState = next;
    } catch (Throwable t) {
      errors.swallow("workersByState", t);
    }
  }

  /** Unregisters the gauges' callbacks. */
  @Override
  public void close() {
    errors.closeAll(observables);
  }

  private static Attributes[] stateAttributes() {
    SchedulingState[] states = SchedulingState.values();
    Attributes[] out = new Attributes[states.length];
    for (SchedulingState s : states) {
      out[s.ordinal()] = Attributes.of(STATE, s.wire());
    }
    return out;
  }

  private static Map<String, Duration> nullFree(Map<String, Duration> ages) {
    Map<String, Duration> copy = new HashMap<>(ages.size() * 2);
    ages.forEach(
        (k, v) -> {
          if (k != null) {
            copy.put(k, v);
          }
        });
    return copy;
  }
}
