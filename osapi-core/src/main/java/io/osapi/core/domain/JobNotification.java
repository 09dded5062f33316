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
 * @param releasedTo the one worker a rolling broadcast's run was released to (the queue sends it
 *     to that worker alone; {@code expected} names that worker only), or null for a notification
 *     routed by the job's target
 */
public record JobNotification(Job job, List<String> expected, TraceContext trace,
    String releasedTo) {
  /** Checks for nulls. */
  public JobNotification {
    Objects.requireNonNull(job, "job");
    expected = List.copyOf(expected == null ? List.of() : expected);
    if (releasedTo != null && !expected.equals(List.of(releasedTo))) {
      throw new IllegalArgumentException("a released run's notification expects its worker only");
    }
  }

  /** A notification routed by the job's target. */
  public JobNotification(Job job, List<String> expected, TraceContext trace) {
    this(job, expected, trace, null);
  }

  /** A notification of a job that was not traced. */
  public JobNotification(Job job, List<String> expected) {
    this(job, expected, null);
  }

  /**
   * The notification of a rolling broadcast's run released to {@code worker}: sent to that worker
   * alone (on NATS its host subject), de-duplicated by job and worker.
   */
  public static JobNotification releasedTo(JobRecord record, String worker) {
    return new JobNotification(record.job(), List.of(worker), record.trace(), worker);
  }

  /** The notification of a stored record. */
  public static JobNotification of(JobRecord record) {
    return new JobNotification(record.job(), record.expected(), record.trace());
  }

  /** This notification with {@code context} as its trace context. */
  public JobNotification withTrace(TraceContext context) {
    return new JobNotification(job, expected, context, releasedTo);
  }

  /** Whether {@code worker} is to run this job. */
  public boolean expects(String worker) {
    return job.target() instanceof Target.Any || expected.contains(worker);
  }
}
