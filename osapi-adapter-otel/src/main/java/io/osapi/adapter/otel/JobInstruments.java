package io.osapi.adapter.otel;

import static io.osapi.adapter.otel.OtelJobMetrics.OPERATION;
import static io.osapi.adapter.otel.OtelJobMetrics.OTHER;
import static io.osapi.adapter.otel.OtelJobMetrics.STATUS;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.domain.JobOutcome;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The synchronous instruments of {@link OtelJobMetrics} and their series (moved out of it, which
 * records on them): the counters and histograms of the job path, created once on the meter, with
 * the attribute sets of every (operation, status) pair built here too, so a recording does one map
 * look-up and no allocation. An operation outside the labelled ones is {@value
 * OtelJobMetrics#OTHER}.
 *
 * <p>The series of a side are put in place at 0 on its first use, so that {@code rate()} and
 * {@code increase()} see its first event: the worker side ({@link #startWorkerSide}), the
 * controller side ({@link #startControllerSide}) and the dead letters, which both count ({@link
 * #startDeadLetters}). A process that is not a side exports none of its series.
 */
final class JobInstruments {
  /** The precomputed attribute sets of one operation label value. */
  record OperationAttributes(Attributes operation, Attributes completed, Attributes failed) {
    static OperationAttributes of(String operation) {
      return new OperationAttributes(
          Attributes.of(OPERATION, operation),
          Attributes.of(STATUS, JobOutcome.COMPLETED.wire(), OPERATION, operation),
          Attributes.of(STATUS, JobOutcome.FAILED.wire(), OPERATION, operation));
    }
  }

  private final Map<String, OperationAttributes> byOperation;
  private final OperationAttributes otherOperation;
  /** Set by the first worker-side call: the worker families exist from then on, at 0. */
  private volatile boolean workerSide;
  /** Set by the first controller-side call: the created counters exist from then on, at 0. */
  private volatile boolean controllerSide;
  /**
   * Set by the first worker-side call, the first controller-side call or the first dead letter:
   * the dead-letter counters exist from then on, at 0 (workers and the controller's dead-letter
   * handler both count them).
   */
  private volatile boolean deadLetterSide;

  final LongCounter created;
  final LongCounter completed;
  final DoubleHistogram duration;
  final DoubleHistogram queueWait;
  final LongCounter redeliveries;
  final LongCounter deadLettered;
  final LongCounter superseded;
  final LongCounter timedOut;
  final LongCounter cancelled;
  final LongCounter rolloutReleased;
  final LongCounter rolloutsStopped;
  final RefusedJobs refused;

  /**
   * Creates the instruments on {@code meter}.
   *
   * @param operations the labelled operations (see {@link OtelJobMetrics#labelledOperations})
   */
  JobInstruments(Meter meter, Set<String> operations) {
    Map<String, OperationAttributes> map = new HashMap<>(operations.size() * 2 + 2);
    for (String op : operations) {
      map.put(op, OperationAttributes.of(op));
    }
    this.otherOperation = map.computeIfAbsent(OTHER, OperationAttributes::of);
    this.byOperation = map;

    created = counter(meter, OtelJobMetrics.JOBS_CREATED, "{job}",
        "Jobs accepted and stored by the job client.");
    completed = counter(meter, OtelJobMetrics.JOBS_COMPLETED, "{job}",
        "Jobs that finished processing, by final status.");
    duration = meter.histogramBuilder(OtelJobMetrics.JOB_DURATION)
        .setDescription("Job processing time, from started to finished.").setUnit("s")
        .setExplicitBucketBoundariesAdvice(OtelJobMetrics.DEFAULT_DURATION_BUCKETS).build();
    queueWait = meter.histogramBuilder(OtelJobMetrics.JOB_QUEUE_WAIT)
        .setDescription("Time a job waited for a worker, from created to started.").setUnit("s")
        .setExplicitBucketBoundariesAdvice(OtelJobMetrics.DEFAULT_QUEUE_WAIT_BUCKETS).build();
    redeliveries = counter(meter, OtelJobMetrics.JOB_REDELIVERIES, "{delivery}",
        "Job deliveries after the first (AckWait expiry, nak, crash).");
    deadLettered = counter(meter, OtelJobMetrics.JOBS_DEAD_LETTERED, "{job}",
        "Jobs given up on: max deliveries reached or poison.");
    superseded = counter(meter, OtelJobMetrics.JOB_RUNS_SUPERSEDED, "{run}",
        "Runs whose outcome was dropped because another delivery had taken the job over"
            + " (compare-and-set lost); not counted in osapi_jobs_completed_total.");
    timedOut = counter(meter, OtelJobMetrics.JOB_RUNS_TIMED_OUT, "{run}",
        "Runs of broadcast jobs failed by the controller because the expected worker did"
            + " not answer before the job's timeout.");
    cancelled = counter(meter, OtelJobMetrics.JOBS_CANCELLED, "{job}",
        "Jobs whose cancel this controller stored (counted once per job).");
    rolloutReleased = counter(meter, OtelJobMetrics.ROLLOUT_RUNS_RELEASED, "{run}",
        "Runs of rolling broadcasts released to their workers by this controller (the release"
            + " steps whose compare-and-set it won, the first step at submit included).");
    rolloutsStopped = counter(meter, OtelJobMetrics.ROLLOUTS_STOPPED, "{job}",
        "Rolling broadcasts this controller stopped because more released runs failed than"
            + " their max_failures (counted once per job).");
    refused = new RefusedJobs(meter, operations, OTHER);
  }

  private static LongCounter counter(Meter meter, String name, String unit, String description) {
    return meter.counterBuilder(name).setDescription(description).setUnit(unit).build();
  }

  /** The attribute sets of {@code operation}, or of {@value OtelJobMetrics#OTHER}. */
  OperationAttributes attributes(String operation) {
    if (operation == null) {
      return otherOperation;
    }
    OperationAttributes a = byOperation.get(operation);
    return a != null ? a : otherOperation;
  }

  /** Whether the worker side started: the worker gauges are exported from then on. */
  boolean workerSide() {
    return workerSide;
  }

  boolean controllerSide() {
    return controllerSide;
  }

  boolean deadLetterSide() {
    return deadLetterSide;
  }

  /**
   * Puts every worker-side counter series of the registered operations in place at 0, so that
   * {@code rate()} and {@code increase()} see the first failure, redelivery, superseded run or
   * dead letter, and turns on the worker gauges (a controller alone does not export them).
   */
  synchronized void startWorkerSide() {
    if (workerSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      completed.add(0, a.completed());
      completed.add(0, a.failed());
      redeliveries.add(0, a.operation());
      superseded.add(0, a.operation());
    }
    refused.start();
    startDeadLetters();
    workerSide = true;
  }

  /**
   * Puts the created, timed-out and cancelled counters of every registered operation in place at
   * 0, and the dead-letter counter (the controller's dead-letter handler counts the jobs whose
   * deliveries ran out).
   */
  synchronized void startControllerSide() {
    if (controllerSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      created.add(0, a.operation());
      timedOut.add(0, a.operation());
      cancelled.add(0, a.operation());
      rolloutReleased.add(0, a.operation());
      rolloutsStopped.add(0, a.operation());
    }
    startDeadLetters();
    controllerSide = true;
  }

  /** Puts the dead-letter counter of every registered operation in place at 0. */
  synchronized void startDeadLetters() {
    if (deadLetterSide) {
      return;
    }
    for (OperationAttributes a : byOperation.values()) {
      deadLettered.add(0, a.operation());
    }
    deadLetterSide = true;
  }
}
