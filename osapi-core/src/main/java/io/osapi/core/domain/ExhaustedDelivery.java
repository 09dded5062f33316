package io.osapi.core.domain;

import java.util.Objects;

/**
 * A job notification whose deliveries ran out (the queue's max deliver) without any worker
 * settling it: the last holder died or hung on every delivery.
 *
 * @param job the job
 * @param worker the worker whose own consumer gave up (broadcast jobs), or null for the shared
 *     {@code _any} consumers
 * @param deliveries how many deliveries it had
 */
public record ExhaustedDelivery(JobId job, String worker, long deliveries) {
  /** Checks for a job. */
  public ExhaustedDelivery {
    Objects.requireNonNull(job, "job");
  }

  /** The run this is about. */
  public RunKey runKey() {
    return worker == null ? RunKey.any(job) : RunKey.of(job, worker);
  }
}
