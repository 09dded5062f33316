package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.RefusalReason;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link JobMetrics} on the OpenTelemetry metrics API.
 *
 * <p>Only the API is used here, so the class works on any {@link Meter}; {@link
 * OtelMetricsBackend} supplies the SDK one with the right views. The instruments are created once,
 * in the constructor, with the attribute sets of every (operation, status) pair, by {@code
 * JobInstruments} (which also puts each side's series in place at 0 on its first use), so the
 * recording methods on the job path ({@link #jobCreated}, {@link #jobStarted}, {@link
 * #jobFinished}, ...) do one map look-up and no allocation.
 *
 * <p>Label values are bounded: {@code operation} is one of the operations given to the constructor
 * or {@value #OTHER}; {@code status} is {@code completed} or {@code failed}; {@code worker} is the
 * id of a worker connected in this process (at most {@code maxWorkers}, by default {@value
 * #DEFAULT_MAX_WORKERS}), else {@value #OTHER} ({@link WorkerSeries}: a worker's series go away
 * when it disconnects).
 *
 * <p>{@code osapi_jobs_active}, {@code osapi_workers_connected} and {@code
 * osapi_worker_concurrency} are observable and exported only in a process that runs a worker. The
 * other roles have classes of their own: {@link OtelFleetMetrics}, {@link OtelConnectionMetrics},
 * {@link OtelHealthMetrics}.
 *
 * <p>No method throws: any failure inside is counted ({@link #internalErrors()}) and the first one is
 * logged; only {@link VirtualMachineError}s other than {@link StackOverflowError} are rethrown. Null
 * or odd inputs (null operation, null worker, huge strings, negative durations) are folded or
 * ignored.
 *
 * <p>Create one instance per meter provider: a second one would register its observable callbacks
 * next to the first one's.
 */
public final class OtelJobMetrics implements JobMetrics, AutoCloseable {

  /** The label value for anything outside the bounded set. */
  public static final String OTHER = Labels.OTHER;

  /** The instrumentation scope (meter) name {@link OtelMetricsBackend} creates the instruments in. */
  public static final String SCOPE_NAME = "io.osapi";

  /** Default of the most workers given their own {@code worker} series. */
  public static final int DEFAULT_MAX_WORKERS = 256;

  /** Instrument name of {@code osapi_jobs_created_total}. */
  public static final String JOBS_CREATED = "osapi.jobs.created";
  /** Instrument name of {@code osapi_jobs_completed_total}. */
  public static final String JOBS_COMPLETED = "osapi.jobs.completed";
  /** Instrument name of {@code osapi_job_duration_seconds}. */
  public static final String JOB_DURATION = "osapi.job.duration";
  /** Instrument name of {@code osapi_job_queue_wait_seconds}. */
  public static final String JOB_QUEUE_WAIT = "osapi.job.queue_wait";
  /** Instrument name of {@code osapi_jobs_active}. */
  public static final String JOBS_ACTIVE = "osapi.jobs.active";
  /** Instrument name of {@code osapi_workers_connected}. */
  public static final String WORKERS_CONNECTED = "osapi.workers.connected";
  /** Instrument name of {@code osapi_worker_jobs_processed_total}. */
  public static final String WORKER_JOBS_PROCESSED = "osapi.worker.jobs_processed";
  /** Instrument name of {@code osapi_job_redeliveries_total}. */
  public static final String JOB_REDELIVERIES = "osapi.job.redeliveries";
  /** Instrument name of {@code osapi_jobs_dead_lettered_total}. */
  public static final String JOBS_DEAD_LETTERED = "osapi.jobs.dead_lettered";
  /** Instrument name of {@code osapi_job_runs_superseded_total}. */
  public static final String JOB_RUNS_SUPERSEDED = "osapi.job.runs_superseded";
  /** Instrument name of {@code osapi_job_runs_timed_out_total}. */
  public static final String JOB_RUNS_TIMED_OUT = "osapi.job.runs_timed_out";
  /** Instrument name of {@code osapi_jobs_cancelled_total}. */
  public static final String JOBS_CANCELLED = "osapi.jobs.cancelled";
  /** Instrument name of {@code osapi_rollout_runs_released_total}. */
  public static final String ROLLOUT_RUNS_RELEASED = "osapi.rollout.runs_released";
  /** Instrument name of {@code osapi_rollouts_stopped_total}. */
  public static final String ROLLOUTS_STOPPED = "osapi.rollouts.stopped";
  /** Instrument name of {@code osapi_jobs_refused_total}. */
  public static final String JOBS_REFUSED = "osapi.jobs.refused";
  /** Instrument name of {@code osapi_worker_concurrency}. */
  public static final String WORKER_CONCURRENCY = "osapi.worker.concurrency";

  /**
   * Default bucket boundaries of the job duration, in seconds (5 ms to 10 min). Given as advice;
   * {@link OtelMetricsBackend} sets its configured boundaries with a view.
   */
  public static final List<Double> DEFAULT_DURATION_BUCKETS =
      List.of(
          0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0,
          600.0);

  /** Default bucket boundaries of the queue wait, in seconds (1 ms to 30 min). */
  public static final List<Double> DEFAULT_QUEUE_WAIT_BUCKETS =
      List.of(
          0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0,
          1800.0);

  static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
  static final AttributeKey<String> STATUS = AttributeKey.stringKey("status");
  static final AttributeKey<String> WORKER = Labels.WORKER;

  /** The instruments and their series. */
  private final JobInstruments in;
  private final Set<String> operations;

  private final LongAdder active = new LongAdder();
  private final WorkerSeries workers;

  private final List<AutoCloseable> observables = new ArrayList<>();
  private final InternalErrors errors;

  /**
   * Creates the instruments on {@code meter}.
   *
   * @param meter the meter to create the instruments on
   * @param operations the registered operation types: the only {@code operation} label values
   *     besides {@value #OTHER}; null elements are ignored
   */
  public OtelJobMetrics(Meter meter, Set<String> operations) {
    this(meter, operations, DEFAULT_MAX_WORKERS);
  }

  /**
   * Creates the instruments on {@code meter}.
   *
   * @param meter the meter to create the instruments on
   * @param operations the registered operation types: the only {@code operation} label values
   *     besides {@value #OTHER}; null elements are ignored
   * @param maxWorkers the most workers of this process given their own {@code worker} series;
   *     further workers share the {@value #OTHER} series
   */
  public OtelJobMetrics(Meter meter, Set<String> operations, int maxWorkers) {
    this(meter, operations, maxWorkers, new InternalErrors());
  }

  OtelJobMetrics(Meter meter, Set<String> operations, int maxWorkers, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    Objects.requireNonNull(operations, "operations");
    this.workers = new WorkerSeries(maxWorkers);
    this.operations = labelledOperations(operations);
    this.in = new JobInstruments(meter, this.operations);
    observables.add(
        meter
            .upDownCounterBuilder(JOBS_ACTIVE)
            .setDescription("Jobs being processed right now.")
            .setUnit("{job}")
            .buildWithCallback(
                m -> {
                  if (in.workerSide()) {
                    m.record(Math.max(0L, active.sum()));
                  }
                })
            ::close);
    // jobs_active is an observable up-down counter (a count that adds up across processes); the
    // worker levels are observable gauges. Prometheus shows both as "gauge".
    workers.register(meter, in::workerSide, observables);
  }

  /** The {@code operation} label values besides {@value #OTHER}. */
  public Set<String> operations() {
    return operations;
  }

  /**
   * How many failures were swallowed since this was created: here and, for the instance of an
   * {@link OtelMetricsBackend}, in its other metrics classes too.
   */
  public long internalErrors() {
    return errors.count();
  }

  @Override
  public void jobCreated(String operation) {
    try {
      if (!in.controllerSide()) {
        in.startControllerSide();
      }
      in.created.add(1, in.attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobCreated", t);
    }
  }

  @Override
  public void jobStarted(String operation, Duration wait) {
    try {
      if (!in.workerSide()) {
        in.startWorkerSide();
      }
      active.increment();
      if (wait != null) {
        in.queueWait.record(Labels.seconds(wait), in.attributes(operation).operation());
      }
    } catch (Throwable t) {
      swallow("jobStarted", t);
    }
  }

  @Override
  public void jobReturned(String operation) {
    try {
      active.decrement();
    } catch (Throwable t) {
      swallow("jobReturned", t);
    }
  }

  @Override
  public void jobFinished(
      String operation, String workerId, JobOutcome outcome, Duration processing) {
    try {
      if (outcome != JobOutcome.COMPLETED && outcome != JobOutcome.FAILED) {
        return; // RELEASED (or null): handed back to the queue, not finished
      }
      JobInstruments.OperationAttributes op = in.attributes(operation);
      Attributes attrs = outcome == JobOutcome.COMPLETED ? op.completed() : op.failed();
      in.completed.add(1, attrs);
      if (processing != null) {
        in.duration.record(Labels.seconds(processing), attrs);
      }
      workers.processed(workerId);
    } catch (Throwable t) {
      swallow("jobFinished", t);
    }
  }

  @Override
  public void jobRedelivered(String operation) {
    try {
      in.redeliveries.add(1, in.attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobRedelivered", t);
    }
  }

  @Override
  public void jobDeadLettered(String operation) {
    try {
      if (!in.deadLetterSide()) {
        in.startDeadLetters();
      }
      in.deadLettered.add(1, in.attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobDeadLettered", t);
    }
  }

  @Override
  public void jobRefused(String operation, RefusalReason reason) {
    try {
      in.refused.add(operation, reason);
    } catch (Throwable t) {
      swallow("jobRefused", t);
    }
  }

  @Override
  public void jobSuperseded(String operation) {
    try {
      in.superseded.add(1, in.attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobSuperseded", t);
    }
  }

  @Override
  public void jobRunTimedOut(String operation) {
    controllerCount(in.timedOut, operation, "jobRunTimedOut");
  }

  @Override
  public void jobCancelled(String operation) {
    controllerCount(in.cancelled, operation, "jobCancelled");
  }

  @Override
  public void rolloutReleased(String operation, int runs) {
    controllerCount(in.rolloutReleased, runs, operation, "rolloutReleased");
  }

  @Override
  public void rolloutStopped(String operation) {
    controllerCount(in.rolloutsStopped, operation, "rolloutStopped");
  }

  private void controllerCount(LongCounter counter, String operation, String where) {
    controllerCount(counter, 1, operation, where);
  }

  private void controllerCount(LongCounter counter, long n, String operation, String where) {
    try {
      if (!in.controllerSide()) {
        in.startControllerSide();
      }
      counter.add(n, in.attributes(operation).operation());
    } catch (Throwable t) {
      swallow(where, t);
    }
  }

  @Override
  public void workerConnected(String workerId, int concurrency) {
    try {
      if (!in.workerSide()) {
        in.startWorkerSide();
      }
      if (workerId == null) {
        return;
      }
      workers.connected(workerId, concurrency);
    } catch (Throwable t) {
      swallow("workerConnected", t);
    }
  }

  @Override
  public void workerDisconnected(String workerId) {
    try {
      if (workerId != null) {
        workers.disconnected(workerId);
      }
    } catch (Throwable t) {
      swallow("workerDisconnected", t);
    }
  }

  /**
   * Unregisters the observable callbacks: the gauges and the per-worker counter stop being
   * exported. The synchronous instruments stay with the meter provider.
   */
  @Override
  public void close() {
    errors.closeAll(observables);
  }

  /** The operations of {@code operations} that get a label value of their own: the non-null ones. */
  static Set<String> labelledOperations(Set<String> operations) {
    Set<String> allowed = new TreeSet<>();
    for (String op : operations) {
      if (op != null) {
        allowed.add(op);
      }
    }
    return Set.copyOf(allowed);
  }

  /** Whether {@code s} may become a label value of its own (see {@link Labels#isValidLabel}). */
  static boolean isValidLabel(String s) {
    return Labels.isValidLabel(s);
  }

  private void swallow(String where, Throwable t) {
    errors.swallow(where, t);
  }
}
