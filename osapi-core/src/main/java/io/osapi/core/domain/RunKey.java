package io.osapi.core.domain;

import java.util.Objects;

/**
 * Which run of a job: the shared run of an {@code _any} job ({@link #ANY}), or the run of one
 * expected worker of a broadcast job.
 *
 * @param job the job
 * @param slot {@link #ANY}, or a worker id (worker ids never start with {@code _})
 */
public record RunKey(JobId job, String slot) {
  /** The slot of the one run of an {@code _any} job. */
  public static final String ANY = "_any";

  /** Checks for nulls and a valid slot. */
  public RunKey {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(slot, "slot");
    if (!ANY.equals(slot)) {
      Names.requireWorkerId("worker", slot);
    }
  }

  /** The run of an {@code _any} job. */
  public static RunKey any(JobId job) {
    return new RunKey(job, ANY);
  }

  /** The run of {@code worker} for a broadcast job. */
  public static RunKey of(JobId job, String worker) {
    return new RunKey(job, worker);
  }

  /** The run key of {@code worker} for {@code job}: the shared one for {@code _any} jobs. */
  public static RunKey forWorker(Job job, String worker) {
    return job.target() instanceof Target.Any ? any(job.id()) : of(job.id(), worker);
  }

  /** True for the shared run of an {@code _any} job. */
  public boolean shared() {
    return ANY.equals(slot);
  }
}
