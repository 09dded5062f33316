package io.osapi.core.domain;

import java.util.List;
import java.util.Objects;

/**
 * What a worker is told about a job: everything it needs to claim and run it without reading the
 * job's record first.
 *
 * @param job the job
 * @param expected the workers expected to run a broadcast job (a worker not in it leaves the job
 *     alone); empty for {@code _any}
 */
public record JobNotification(Job job, List<String> expected) {
  /** Checks for nulls. */
  public JobNotification {
    Objects.requireNonNull(job, "job");
    expected = List.copyOf(expected == null ? List.of() : expected);
  }

  /** The notification of a stored record. */
  public static JobNotification of(JobRecord record) {
    return new JobNotification(record.job(), record.expected());
  }

  /** Whether {@code worker} is to run this job. */
  public boolean expects(String worker) {
    return job.target() instanceof Target.Any || expected.contains(worker);
  }
}
