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
 * @param trace the context of the job's create span, to trace its runs under; null when the job
 *     was not traced
 */
public record JobNotification(Job job, List<String> expected, TraceContext trace) {
  /** Checks for nulls. */
  public JobNotification {
    Objects.requireNonNull(job, "job");
    expected = List.copyOf(expected == null ? List.of() : expected);
  }

  /** A notification of a job that was not traced. */
  public JobNotification(Job job, List<String> expected) {
    this(job, expected, null);
  }

  /** The notification of a stored record. */
  public static JobNotification of(JobRecord record) {
    return new JobNotification(record.job(), record.expected(), record.trace());
  }

  /** This notification with {@code context} as its trace context. */
  public JobNotification withTrace(TraceContext context) {
    return new JobNotification(job, expected, context);
  }

  /** Whether {@code worker} is to run this job. */
  public boolean expects(String worker) {
    return job.target() instanceof Target.Any || expected.contains(worker);
  }
}
