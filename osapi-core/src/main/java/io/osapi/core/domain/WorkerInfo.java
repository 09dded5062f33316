package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's heartbeat record. It validates itself: an entry read from a registry that is not a
 * valid record (an id or label that is not valid, a negative count, no job slot) cannot be made, so it is never
 * handed on.
 *
 * @param id the worker id
 * @param labels its labels
 * @param started when the worker started (the worker's clock)
 * @param lastHeartbeat when it last reported (the worker's clock)
 * @param activeJobs jobs running at that time
 * @param concurrency job slots it offers
 * @param state whether it takes new jobs (drain and cordon)
 * @param process the process that wrote the entry; null in an entry of an older osapi
 * @param observed when the registry received the heartbeat, on a clock the fleet shares (the
 *     NATS server's timestamp of the entry; the registry's clock in memory); null while the
 *     record is being written
 * @param publicKey the public key it signs its run ends with (base64 of the X.509 encoding), or
 *     null when it announces none
 * @param allowOperations the globs of its allow-list ({@code --allow-operations}), or null for
 *     the default policy (an entry of an osapi before allow-lists too): see {@link #policy()}
 * @param running the jobs it was running at that time (at most {@link #MAX_RUNNING}), or null
 *     when it does not tell (an entry of an older osapi): the dead-letter handler leaves a job to
 *     a live worker that runs it
 */
public record WorkerInfo(
    String id,
    Map<String, String> labels,
    Instant started,
    Instant lastHeartbeat,
    int activeJobs,
    int concurrency,
    SchedulingState state,
    WorkerProcess process,
    Instant observed,
    String publicKey,
    List<String> allowOperations,
    List<JobId> running) {
  /** Most labels a worker entry may carry. */
  public static final int MAX_LABELS = 64;

  /** Most running jobs a worker entry may list. */
  public static final int MAX_RUNNING = 4096;

  /**
   * Copies labels; checks for nulls, the id, the labels and the counts; no state is {@link
   * SchedulingState#READY}.
   *
   * @throws InvalidInputException when the id, a label or a count is not valid
   */
  public WorkerInfo {
    Names.requireWorkerId("worker id", id);
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    if (labels.size() > MAX_LABELS) {
      throw new InvalidInputException("labels", "more than " + MAX_LABELS + " labels");
    }
    labels.forEach((k, v) -> {
      Names.requireLabelKey("label", k);
      Names.requireLabelValue("label", v);
    });
    if (activeJobs < 0 || concurrency < 1) {
      throw new InvalidInputException("active_jobs", "active jobs must not be negative and"
          + " concurrency must be positive");
    }
    state = state == null ? SchedulingState.READY : state;
    allowOperations = allowOperations == null ? null : List.copyOf(allowOperations);
    if (allowOperations != null && allowOperations.size() > OperationPolicy.MAX_GLOBS) {
      throw new InvalidInputException("allow_operations", "more than "
          + OperationPolicy.MAX_GLOBS + " globs");
    }
    running = running == null ? null : List.copyOf(running);
    if (running != null && running.size() > MAX_RUNNING) {
      throw new InvalidInputException("running", "more than " + MAX_RUNNING + " running jobs");
    }
  }

  /** A record that does not tell which jobs it runs. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency, SchedulingState state, WorkerProcess process,
      Instant observed, String publicKey, List<String> allowOperations) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, state, process, observed,
        publicKey, allowOperations, null);
  }

  /** A record with the default allow-list. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency, SchedulingState state, WorkerProcess process,
      Instant observed, String publicKey) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, state, process, observed,
        publicKey, null);
  }

  /** What this worker allows to run (the default policy when it announces no list). */
  public OperationPolicy policy() {
    return OperationPolicy.announced(allowOperations);
  }

  /** A record without process details, not yet received. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency, SchedulingState state) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, state, null, null, null);
  }

  /** A ready worker's record. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, SchedulingState.READY);
  }

  /** This record as received at {@code when} on the registry's clock. */
  public WorkerInfo observedAt(Instant when) {
    return new WorkerInfo(id, labels, started, lastHeartbeat, activeJobs, concurrency, state,
        process, when, publicKey, allowOperations, running);
  }

  /** This record written by {@code p}. */
  public WorkerInfo writtenBy(WorkerProcess p) {
    return new WorkerInfo(id, labels, started, lastHeartbeat, activeJobs, concurrency, state, p,
        observed, publicKey, allowOperations, running);
  }

  /**
   * How old the heartbeat is at {@code now}: from when the registry received it ({@link
   * #observed()}), so a worker's wrong clock does not make it look stale or fresh; from the
   * worker's own time when that is unknown. Never negative.
   */
  public Duration age(Instant now) {
    Duration d = Duration.between(observed != null ? observed : lastHeartbeat, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  /**
   * How far the worker's clock is ahead of the registry's (negative: behind), as its heartbeat
   * time against its receipt (the transit time included, milliseconds); zero when not received.
   */
  public Duration clockSkew() {
    return observed == null ? Duration.ZERO : Duration.between(observed, lastHeartbeat);
  }
}
