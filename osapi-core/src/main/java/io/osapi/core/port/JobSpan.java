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

  /**
   * Makes this span the current one of this thread until the returned scope is closed, on the same
   * thread (try-with-resources): metrics recorded meanwhile take it as their exemplar, log lines
   * its ids. Scopes nest; closing one restores what was current before it, so nothing outlives the
   * task on a pooled thread.
   */
  Scope activate();

  /** What {@link #activate()} returns: closing it ends the activation. */
  @FunctionalInterface
  interface Scope extends AutoCloseable {
    /** A scope that restores nothing. */
    Scope NONE = () -> {};

    /** Ends the activation; never throws. */
    @Override
    void close();
  }

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

    @Override
    public Scope activate() {
      return Scope.NONE;
    }
  }
}
