package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@link JobMetrics} on the OpenTelemetry metrics API.
 *
 * <p>Only the API is used here, so the class works on any {@link Meter}; {@link
 * OtelMetricsBackend} supplies the SDK one with the right views. The instruments are created once,
 * in the constructor. The attribute sets of every (operation, status) pair are built there too, so
 * the recording methods on the job path ({@link #jobCreated}, {@link #jobStarted}, {@link
 * #jobFinished}, ...) do one map look-up and no allocation.
 *
 * <p>Label values are bounded: {@code operation} is one of the operations given to the constructor
 * or {@value #OTHER}; {@code status} is {@code completed} or {@code failed}; {@code worker} is the
 * id of a worker connected in this process (at most {@code maxWorkers}, by default {@value
 * #DEFAULT_MAX_WORKERS}), else {@value #OTHER};
 * {@code subsystem} takes at most {@value #MAX_SUBSYSTEMS} names. The per-worker processed counter
 * is an observable counter fed from a map of {@link LongAdder}s: when a worker disconnects its entry
 * is removed, and its {@code osapi_worker_jobs_processed_total{worker=...}} series is no longer
 * exported from the next collection on.
 *
 * <p>All gauges are observable; their callbacks read fields cached here. {@code osapi_jobs_active},
 * {@code osapi_workers_connected}, {@code osapi_worker_concurrency} and {@code osapi_component_up}
 * are always exported; {@code osapi_nats_connected}, {@code osapi_jobs_pending}, {@code
 * osapi_jobs_ack_pending} and the job index gauges only once a value was reported (a process without NATS exports no NATS
 * gauge rather than a false 0).
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
  public static final String OTHER = "other";

  /** The instrumentation scope (meter) name used by {@link #create(MeterProvider, Set)}. */
  public static final String SCOPE_NAME = "io.osapi";

  /** Default of the most workers given their own {@code worker} series. */
  public static final int DEFAULT_MAX_WORKERS = 256;

  /** Most workers reported in {@code osapi_worker_heartbeat_age_seconds}. */
  public static final int MAX_HEARTBEAT_WORKERS = 1024;

  /** Most subsystems reported in {@code osapi_subsystem_up}. */
  public static final int MAX_SUBSYSTEMS = 32;

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
  /** Instrument name of {@code osapi_nats_connected}. */
  public static final String NATS_CONNECTED = "osapi.nats.connected";
  /** Instrument name of {@code osapi_nats_reconnects_total}. */
  public static final String NATS_RECONNECTS = "osapi.nats.reconnects";
  /** Instrument name of {@code osapi_job_redeliveries_total}. */
  public static final String JOB_REDELIVERIES = "osapi.job.redeliveries";
  /** Instrument name of {@code osapi_jobs_dead_lettered_total}. */
  public static final String JOBS_DEAD_LETTERED = "osapi.jobs.dead_lettered";
  /** Instrument name of {@code osapi_job_runs_superseded_total}. */
  public static final String JOB_RUNS_SUPERSEDED = "osapi.job.runs_superseded";
  /** Instrument name of {@code osapi_job_runs_timed_out_total}. */
  public static final String JOB_RUNS_TIMED_OUT = "osapi.job.runs_timed_out";
  /** Instrument name of {@code osapi_jobs_pending}. */
  public static final String JOBS_PENDING = "osapi.jobs.pending";
  /** Instrument name of {@code osapi_jobs_ack_pending}. */
  public static final String JOBS_ACK_PENDING = "osapi.jobs.ack_pending";
  /** Instrument name of {@code osapi_job_index_jobs}. */
  public static final String JOB_INDEX_JOBS = "osapi.job_index.jobs";
  /** Instrument name of {@code osapi_job_index_lag}. */
  public static final String JOB_INDEX_LAG = "osapi.job_index.lag";
  /** Instrument name of {@code osapi_worker_concurrency}. */
  public static final String WORKER_CONCURRENCY = "osapi.worker.concurrency";
  /** Instrument name of {@code osapi_worker_heartbeat_age_seconds}. */
  public static final String WORKER_HEARTBEAT_AGE = "osapi.worker.heartbeat_age";
  /** Instrument name of {@code osapi_workers_by_state}. */
  public static final String WORKERS_BY_STATE = "osapi.workers.by_state";
  /** Instrument name of {@code osapi_component_up}. */
  public static final String COMPONENT_UP = "osapi.component.up";
  /** Instrument name of {@code osapi_subsystem_up}. */
  public static final String SUBSYSTEM_UP = "osapi.subsystem.up";

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
  static final AttributeKey<String> WORKER = AttributeKey.stringKey("worker");
  static final AttributeKey<String> SUBSYSTEM = AttributeKey.stringKey("subsystem");

  private static final System.Logger LOG = System.getLogger(OtelJobMetrics.class.getName());
  private static final int MAX_LABEL_LENGTH = 64;

  /** The precomputed attribute sets of one operation label value. */
  private record OperationAttributes(Attributes operation, Attributes completed, Attributes failed) {
    static OperationAttributes of(String operation) {
      return new OperationAttributes(
          Attributes.of(OPERATION, operation),
          Attributes.of(STATUS, JobOutcome.COMPLETED.wire(), OPERATION, operation),
          Attributes.of(STATUS, JobOutcome.FAILED.wire(), OPERATION, operation));
    }
  }

  /** One connected worker; {@code attributes} is null when it shares the {@code other} series. */
  private record WorkerSlot(Attributes attributes, LongAdder processed, int concurrency) {}

  /** One heartbeat-age series, computed in the background refresh. */
  private record HeartbeatAge(Attributes attributes, double seconds) {}

  /** One subsystem's state. */
  private static final class Subsystem {
    final Attributes attributes;
    volatile boolean up;

    Subsystem(String name) {
      this.attributes = Attributes.of(SUBSYSTEM, name);
    }
  }

  private final Map<String, OperationAttributes> byOperation;
  /** Set by the first worker-side call: the worker families exist from then on, at 0. */
  private volatile boolean workerSide;
  /** Set by the first jobCreated: the created counters exist from then on, at 0. */
  private volatile boolean controllerSide;
  /**
   * Set by the first worker-side call, the first jobCreated or the first dead letter: the
   * dead-letter counters exist from then on, at 0 (workers and the controller's dead-letter
   * handler both count them).
   */
  private volatile boolean deadLetterSide;
  /** Set by the first NATS connection event: the reconnect counter exists from then on, at 0. */
  private volatile boolean natsSide;
  private final OperationAttributes otherOperation;
  private final Set<String> operations;

  private final LongCounter created;
  private final LongCounter completed;
  private final DoubleHistogram duration;
  private final DoubleHistogram queueWait;
  private final LongCounter reconnects;
  private final LongCounter redeliveries;
  private final LongCounter deadLettered;
  private final LongCounter superseded;
  private final LongCounter timedOut;

  private final LongAdder active = new LongAdder();
  private final ConcurrentHashMap<String, WorkerSlot> workers = new ConcurrentHashMap<>();
  private final int maxWorkers;
  private final LongAdder otherWorkerProcessed = new LongAdder();
  private final Attributes otherWorkerAttributes = Attributes.of(WORKER, OTHER);
  private final ConcurrentHashMap<String, Subsystem> subsystems = new ConcurrentHashMap<>();

  /** -1 unknown, 0 disconnected, 1 connected. */
  private volatile int natsState = -1;

  private volatile long pending = -1;
  private volatile long ackPending = -1;
  private volatile long indexJobs = -1;
  private volatile long indexLag = -1;
  private volatile boolean componentUp;
  private volatile List<HeartbeatAge> heartbeatAges = List.of();
  /** Registered workers by state (index: ordinal), null until the first refresh. */
  private volatile long[] byState;
  private static final AttributeKey<String> STATE = AttributeKey.stringKey("state");
  private static final Attributes[] STATE_ATTRIBUTES = stateAttributes();

  private final List<AutoCloseable> observables = new ArrayList<>();
  private final LongAdder internalErrors = new LongAdder();
  private final AtomicBoolean errorLogged = new AtomicBoolean();

  /**
   * Creates the instruments on {@code provider}'s meter {@value #SCOPE_NAME}.
   *
   * @param provider the meter provider
   * @param operations the registered operation types: the only {@code operation} label values
   *     besides {@value #OTHER}
   */
  public static OtelJobMetrics create(MeterProvider provider, Set<String> operations) {
    return new OtelJobMetrics(provider.get(SCOPE_NAME), operations, DEFAULT_MAX_WORKERS);
  }

  /**
   * Creates the instruments on {@code provider}'s meter {@value #SCOPE_NAME}.
   *
   * @param provider the meter provider
   * @param operations the registered operation types
   * @param maxWorkers the most workers of this process given their own {@code worker} series
   */
  public static OtelJobMetrics create(
      MeterProvider provider, Set<String> operations, int maxWorkers) {
    return new OtelJobMetrics(provider.get(SCOPE_NAME), operations, maxWorkers);
  }

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
    Objects.requireNonNull(meter, "meter");
    Objects.requireNonNull(operations, "operations");
    if (maxWorkers < 1) {
      throw new IllegalArgumentException("maxWorkers must be at least 1: " + maxWorkers);
    }
    this.maxWorkers = maxWorkers;
    this.operations = labelledOperations(operations);
    Map<String, OperationAttributes> map = new HashMap<>(this.operations.size() * 2 + 2);
    for (String op : this.operations) {
      map.put(op, OperationAttributes.of(op));
    }
    this.otherOperation = map.computeIfAbsent(OTHER, OperationAttributes::of);
    this.byOperation = map;

    created =
        meter
            .counterBuilder(JOBS_CREATED)
            .setDescription("Jobs accepted and stored by the job client.")
            .setUnit("{job}")
            .build();
    completed =
        meter
            .counterBuilder(JOBS_COMPLETED)
            .setDescription("Jobs that finished processing, by final status.")
            .setUnit("{job}")
            .build();
    duration =
        meter
            .histogramBuilder(JOB_DURATION)
            .setDescription("Job processing time, from started to finished.")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(DEFAULT_DURATION_BUCKETS)
            .build();
    queueWait =
        meter
            .histogramBuilder(JOB_QUEUE_WAIT)
            .setDescription("Time a job waited for a worker, from created to started.")
            .setUnit("s")
            .setExplicitBucketBoundariesAdvice(DEFAULT_QUEUE_WAIT_BUCKETS)
            .build();
    reconnects =
        meter
            .counterBuilder(NATS_RECONNECTS)
            .setDescription("Successful reconnects to NATS.")
            .setUnit("{reconnect}")
            .build();
    redeliveries =
        meter
            .counterBuilder(JOB_REDELIVERIES)
            .setDescription("Job deliveries after the first (AckWait expiry, nak, crash).")
            .setUnit("{delivery}")
            .build();
    deadLettered =
        meter
            .counterBuilder(JOBS_DEAD_LETTERED)
            .setDescription("Jobs given up on: max deliveries reached or poison.")
            .setUnit("{job}")
            .build();
    superseded =
        meter
            .counterBuilder(JOB_RUNS_SUPERSEDED)
            .setDescription(
                "Runs whose outcome was dropped because another delivery had taken the job over"
                    + " (compare-and-set lost); not counted in osapi_jobs_completed_total.")
            .setUnit("{run}")
            .build();
    timedOut =
        meter
            .counterBuilder(JOB_RUNS_TIMED_OUT)
            .setDescription(
                "Runs of broadcast jobs failed by the controller because the expected worker did"
                    + " not answer before the job's timeout.")
            .setUnit("{run}")
            .build();

    observables.add(
        meter
            .upDownCounterBuilder(JOBS_ACTIVE)
            .setDescription("Jobs being processed right now.")
            .setUnit("{job}")
            .buildWithCallback(
                m -> {
                  if (workerSide) {
                    m.record(Math.max(0L, active.sum()));
                  }
                })
            ::close);
    // jobs_active is an observable up-down counter (a count that adds up across processes); the
    // levels below are observable gauges. Prometheus shows both as "gauge".
    observables.add(
        meter
            .gaugeBuilder(WORKERS_CONNECTED)
            .ofLongs()
            .setDescription("Workers in this process whose subscription is live.")
            .setUnit("{worker}")
            .buildWithCallback(
                m -> {
                  if (workerSide) {
                    m.record(workers.size());
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(WORKER_CONCURRENCY)
            .ofLongs()
            .setDescription("Job slots this process offers (utilisation = active / concurrency).")
            .setUnit("{slot}")
            .buildWithCallback(
                m -> {
                  if (workerSide) {
                    m.record(totalConcurrency());
                  }
                })
            ::close);
    observables.add(
        meter
            .counterBuilder(WORKER_JOBS_PROCESSED)
            .setDescription("Jobs this worker finished, whatever the outcome.")
            .setUnit("{job}")
            .buildWithCallback(
                m -> {
                  for (WorkerSlot slot : workers.values()) {
                    if (slot.attributes() != null) {
                      m.record(slot.processed().sum(), slot.attributes());
                    }
                  }
                  long other = otherWorkerProcessed.sum();
                  if (other > 0) {
                    m.record(other, otherWorkerAttributes);
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(NATS_CONNECTED)
            .ofLongs()
            .setDescription("1 while connected to NATS, else 0.")
            .setUnit("{connection}")
            .buildWithCallback(
                m -> {
                  int state = natsState;
                  if (state >= 0) {
                    m.record(state);
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(JOBS_PENDING)
            .ofLongs()
            .setDescription("Job notifications not yet delivered to any worker.")
            .setUnit("{message}")
            .buildWithCallback(
                m -> {
                  long value = pending;
                  if (value >= 0) {
                    m.record(value);
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(JOBS_ACK_PENDING)
            .ofLongs()
            .setDescription("Job notifications delivered but not yet acknowledged.")
            .setUnit("{message}")
            .buildWithCallback(
                m -> {
                  long value = ackPending;
                  if (value >= 0) {
                    m.record(value);
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(JOB_INDEX_JOBS)
            .ofLongs()
            .setDescription("Jobs in this controller's job index, the view job listings and stats"
                + " read.")
            .setUnit("{job}")
            .buildWithCallback(
                m -> {
                  long value = indexJobs;
                  if (value >= 0) {
                    m.record(value);
                  }
                })
            ::close);
    observables.add(
        meter
            .gaugeBuilder(JOB_INDEX_LAG)
            .ofLongs()
            .setDescription("Writes to the job store this controller's job index has not applied"
                + " yet (its replay at start included).")
            .setUnit("{write}")
            .buildWithCallback(
                m -> {
                  long value = indexLag;
                  if (value >= 0) {
                    m.record(value);
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
    observables.add(
        meter
            .gaugeBuilder(COMPONENT_UP)
            .ofLongs()
            .setDescription("1 when this process is ready, else 0.")
            .setUnit("{component}")
            .buildWithCallback(m -> m.record(componentUp ? 1 : 0))
            ::close);
    observables.add(
        meter
            .gaugeBuilder(SUBSYSTEM_UP)
            .ofLongs()
            .setDescription("1 when the subsystem (nats, http, worker, ...) is ok, else 0.")
            .setUnit("{subsystem}")
            .buildWithCallback(
                m -> {
                  for (Subsystem s : subsystems.values()) {
                    m.record(s.up ? 1 : 0, s.attributes);
                  }
                })
            ::close);
  }

  /** The {@code operation} label values besides {@value #OTHER}. */
  public Set<String> operations() {
    return operations;
  }

  /** How many failures were swallowed inside this class since it was created. */
  public long internalErrors() {
    return internalErrors.sum();
  }

  @Override
  public void jobCreated(String operation) {
    try {
      if (!controllerSide) {
        startControllerSide();
      }
      created.add(1, attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobCreated", t);
    }
  }

  @Override
  public void jobStarted(String operation, Duration wait) {
    try {
      if (!workerSide) {
        startWorkerSide();
      }
      active.increment();
      if (wait != null) {
        queueWait.record(seconds(wait), attributes(operation).operation());
      }
    } catch (Throwable t) {
      swallow("jobStarted", t);
    }
  }

  @Override
  public void jobFinished(
      String operation, String workerId, JobOutcome outcome, Duration processing) {
    try {
      active.decrement();
      if (outcome != JobOutcome.COMPLETED && outcome != JobOutcome.FAILED) {
        return; // RELEASED (or null): handed back to the queue, not finished
      }
      OperationAttributes op = attributes(operation);
      Attributes attrs = outcome == JobOutcome.COMPLETED ? op.completed() : op.failed();
      completed.add(1, attrs);
      if (processing != null) {
        duration.record(seconds(processing), attrs);
      }
      WorkerSlot slot = workerId == null ? null : workers.get(workerId);
      if (slot != null) {
        slot.processed().increment();
      } else {
        otherWorkerProcessed.increment();
      }
    } catch (Throwable t) {
      swallow("jobFinished", t);
    }
  }

  @Override
  public void jobRedelivered(String operation) {
    try {
      redeliveries.add(1, attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobRedelivered", t);
    }
  }

  @Override
  public void jobDeadLettered(String operation) {
    try {
      if (!deadLetterSide) {
        startDeadLetters();
      }
      deadLettered.add(1, attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobDeadLettered", t);
    }
  }

  @Override
  public void jobSuperseded(String operation) {
    try {
      superseded.add(1, attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobSuperseded", t);
    }
  }

  @Override
  public void jobRunTimedOut(String operation) {
    try {
      if (!controllerSide) {
        startControllerSide();
      }
      timedOut.add(1, attributes(operation).operation());
    } catch (Throwable t) {
      swallow("jobRunTimedOut", t);
    }
  }

  @Override
  public void workerConnected(String workerId, int concurrency) {
    try {
      if (!workerSide) {
        startWorkerSide();
      }
      if (workerId == null) {
        return;
      }
      int slots = Math.max(0, concurrency);
      workers.compute(
          workerId,
          (id, existing) -> {
            if (existing != null) {
              return new WorkerSlot(existing.attributes(), existing.processed(), slots);
            }
            if (isValidLabel(id) && workers.size() < maxWorkers) {
              return new WorkerSlot(Attributes.of(WORKER, id), new LongAdder(), slots);
            }
            return new WorkerSlot(null, otherWorkerProcessed, slots);
          });
    } catch (Throwable t) {
      swallow("workerConnected", t);
    }
  }

  @Override
  public void workerDisconnected(String workerId) {
    try {
      if (workerId != null) {
        workers.remove(workerId);
      }
    } catch (Throwable t) {
      swallow("workerDisconnected", t);
    }
  }

  @Override
  public void natsConnected(boolean connected) {
    natsState = connected ? 1 : 0;
    if (!natsSide) {
      try {
        reconnects.add(0);
      } catch (Throwable t) {
        swallow("natsConnected", t);
      }
      natsSide = true;
    }
  }

  /**
   * Puts every worker-side counter series of the registered operations in place at 0, so that
   * {@code rate()} and {@code increase()} see the first failure, redelivery, superseded run or
   * dead letter, and turns on the worker gauges (a controller alone does not export them).
   */
  private synchronized void startWorkerSide() {
    if (workerSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      completed.add(0, a.completed());
      completed.add(0, a.failed());
      redeliveries.add(0, a.operation());
      superseded.add(0, a.operation());
    }
    startDeadLetters();
    workerSide = true;
  }

  /**
   * Puts the created and timed-out counters of every registered operation in place at 0, and the
   * dead-letter counter (the controller's dead-letter handler counts the jobs whose deliveries ran
   * out).
   */
  private synchronized void startControllerSide() {
    if (controllerSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      created.add(0, a.operation());
      timedOut.add(0, a.operation());
    }
    startDeadLetters();
    controllerSide = true;
  }

  /** Puts the dead-letter counter of every registered operation in place at 0. */
  private synchronized void startDeadLetters() {
    if (deadLetterSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      deadLettered.add(0, a.operation());
    }
    deadLetterSide = true;
  }

  @Override
  public void natsReconnected() {
    try {
      reconnects.add(1);
    } catch (Throwable t) {
      swallow("natsReconnected", t);
    }
  }

  @Override
  public void queueBacklog(long pendingCount, long ackPendingCount) {
    pending = Math.max(0L, pendingCount);
    ackPending = Math.max(0L, ackPendingCount);
  }

  @Override
  public void jobIndex(long jobs, long behind) {
    indexJobs = Math.max(0L, jobs);
    indexLag = Math.max(0L, behind);
  }

  @Override
  public void workerHeartbeatAges(Map<String, Duration> ages) {
    try {
      if (ages == null || ages.isEmpty()) {
        heartbeatAges = List.of();
        return;
      }
      List<HeartbeatAge> next = new ArrayList<>(Math.min(ages.size(), MAX_HEARTBEAT_WORKERS));
      // sorted so that the cap keeps the same workers from one refresh to the next
      for (Map.Entry<String, Duration> e : new TreeMap<>(nullFree(ages)).entrySet()) {
        if (next.size() >= MAX_HEARTBEAT_WORKERS) {
          break;
        }
        if (e.getValue() != null && isValidLabel(e.getKey())) {
          next.add(new HeartbeatAge(Attributes.of(WORKER, e.getKey()), seconds(e.getValue())));
        }
      }
      heartbeatAges = List.copyOf(next);
    } catch (Throwable t) {
      swallow("workerHeartbeatAges", t);
    }
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
      swallow("workersByState", t);
    }
  }

  private static Attributes[] stateAttributes() {
    SchedulingState[] states = SchedulingState.values();
    Attributes[] out = new Attributes[states.length];
    for (SchedulingState s : states) {
      out[s.ordinal()] = Attributes.of(STATE, s.wire());
    }
    return out;
  }

  @Override
  public void subsystemUp(String subsystem, boolean up) {
    try {
      if (subsystem == null) {
        return;
      }
      Subsystem s = subsystems.get(subsystem);
      if (s == null) {
        if (!isValidLabel(subsystem) || subsystems.size() >= MAX_SUBSYSTEMS) {
          return; // not a bounded label value: not exported
        }
        s = subsystems.computeIfAbsent(subsystem, Subsystem::new);
      }
      s.up = up;
    } catch (Throwable t) {
      swallow("subsystemUp", t);
    }
  }

  @Override
  public void componentUp(boolean up) {
    componentUp = up;
  }

  /**
   * Unregisters the observable callbacks: the gauges and the per-worker counter stop being
   * exported. The synchronous instruments stay with the meter provider.
   */
  @Override
  public void close() {
    for (AutoCloseable c : observables) {
      try {
        c.close();
      } catch (Throwable t) {
        swallow("close", t);
      }
    }
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

  private OperationAttributes attributes(String operation) {
    if (operation == null) {
      return otherOperation;
    }
    OperationAttributes a = byOperation.get(operation);
    return a != null ? a : otherOperation;
  }

  private long totalConcurrency() {
    long sum = 0;
    for (WorkerSlot slot : workers.values()) {
      sum += slot.concurrency();
    }
    return sum;
  }

  private static double seconds(Duration d) {
    if (d.isNegative()) {
      return 0.0;
    }
    return d.getSeconds() + d.getNano() / 1_000_000_000.0;
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

  /**
   * Whether {@code s} may become a label value of its own: 1 to 64 characters of {@code
   * [A-Za-z0-9._-]} starting with a letter or digit (the worker id rule of the core).
   */
  static boolean isValidLabel(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_LABEL_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  private void swallow(String where, Throwable t) {
    if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
      throw (VirtualMachineError) t;
    }
    internalErrors.increment();
    if (errorLogged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "metrics recording failed in " + where + " (logged once; counted afterwards)",
          t);
    }
  }
}
