package io.osapi.core.port;

import io.osapi.core.domain.TraceContext;

/**
 * One span of a job's trace, started by {@link JobTracing}: a {@code job.create} or one run's
 * {@code job.process}. Ended exactly once by {@link #end()}; calls after the end are ignored.
 * Implementations never throw and never block on I/O.
 */
public interface JobSpan {

  /**
   * The context to carry on (stored with the job, sent with its notification), or null when
   * this span is not recorded (tracing off, or not sampled and no context to pass on).
   */
  TraceContext context();

  /** Something happened during the span, such as {@code run.claimed} or {@code run.end_written}. */
  void event(String name);

  /** The span's work failed with {@code message} (status error). */
  void failed(String message);

  /** Ends the span. */
  void end();

  /** A span that records nothing and carries no context. */
  static JobSpan noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements JobSpan {
    /** The only instance. */
    INSTANCE;

    @Override
    public TraceContext context() {
      return null;
    }

    @Override
    public void event(String name) {}

    @Override
    public void failed(String message) {}

    @Override
    public void end() {}
  }
}
