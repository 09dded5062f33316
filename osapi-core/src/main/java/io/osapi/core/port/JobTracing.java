package io.osapi.core.port;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.TraceContext;

/**
 * Where the job client and the worker service start the spans of a job's trace. The create is a
 * producer span ({@code job.create}) whose context is stored with the job and sent with its
 * notification; every run of the job on a worker is a consumer span ({@code job.process}) under it:
 * a redelivered run is a new span in the same trace, and each worker's run of a broadcast job its
 * own span.
 *
 * <p>Implementations must never throw and never block on I/O (export happens in the background).
 * Use {@link #noop()} when tracing is not wanted: it allocates nothing.
 */
public interface JobTracing {

  /**
   * Starts the {@code job.create} span of {@code job}.
   *
   * @param parent the caller's context (an API request's server span), or null to start a trace
   */
  JobSpan jobCreate(Job job, TraceContext parent);

  /**
   * Starts the {@code job.process} span of one run.
   *
   * @param job the job
   * @param parent the context its notification carried, or null (a job stored before tracing, or
   *     traced with tracing off): a new trace then
   * @param run who runs it and which delivery this is
   */
  JobSpan jobProcess(Job job, TraceContext parent, ProcessRun run);

  /**
   * What a {@code job.process} span says about the run besides the job.
   *
   * @param workerId the worker running it
   * @param deliveryCount which delivery of the notification this is (1 for the first); the run's
   *     attempt
   * @param destination where the notification was delivered from (the NATS subject), or null
   */
  record ProcessRun(String workerId, int deliveryCount, String destination) {}

  /** A {@link JobTracing} that traces nothing. */
  static JobTracing noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements JobTracing {
    /** The only instance. */
    INSTANCE;

    @Override
    public JobSpan jobCreate(Job job, TraceContext parent) {
      return JobSpan.noop();
    }

    @Override
    public JobSpan jobProcess(Job job, TraceContext parent, ProcessRun run) {
      return JobSpan.noop();
    }
  }
}
