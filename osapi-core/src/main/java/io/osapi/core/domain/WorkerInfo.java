package io.osapi.core.domain;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A worker's heartbeat record.
 *
 * @param id the worker id
 * @param labels its labels
 * @param started when the worker started
 * @param lastHeartbeat when it last reported
 * @param activeJobs jobs running at that time
 * @param concurrency job slots it offers
 * @param state whether it takes new jobs (drain and cordon)
 * @param publicKey the public key it signs its run ends with (base64 of the X.509 encoding), or
 *     null when it announces none
 */
public record WorkerInfo(
    String id,
    Map<String, String> labels,
    Instant started,
    Instant lastHeartbeat,
    int activeJobs,
    int concurrency,
    SchedulingState state,
    String publicKey) {
  /** Copies labels; checks for nulls; no state is {@link SchedulingState#READY}. */
  public WorkerInfo {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(started, "started");
    Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    state = state == null ? SchedulingState.READY : state;
  }

  /** A record without a public key. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency, SchedulingState state) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, state, null);
  }

  /** A ready worker's record. */
  public WorkerInfo(String id, Map<String, String> labels, Instant started, Instant lastHeartbeat,
      int activeJobs, int concurrency) {
    this(id, labels, started, lastHeartbeat, activeJobs, concurrency, SchedulingState.READY);
  }
}
