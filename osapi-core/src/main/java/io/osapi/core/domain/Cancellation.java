package io.osapi.core.domain;

import java.util.concurrent.CompletableFuture;

/**
 * Whether the run a handler is running was cancelled, as a flag ({@link #requested()}) and as a
 * future ({@link #future()}) for handlers that wait. The worker that runs the handler requests it
 * when it sees the run cancelled in the store; the run's outcome is dropped from then on, so a
 * handler should stop soon (the built-in ones return at once, ending their processes).
 */
public final class Cancellation {
  private final CompletableFuture<Void> requested = new CompletableFuture<>();

  /** Not requested yet. */
  public Cancellation() {}

  /** A cancellation that is never requested (a handler run outside a worker). */
  public static Cancellation never() {
    return new Cancellation();
  }

  /** True once a cancel was requested. */
  public boolean requested() {
    return requested.isDone();
  }

  /**
   * A future that completes (normally) when a cancel is requested; a copy per call, so a caller
   * that completes or cancels it changes nothing.
   */
  public CompletableFuture<Void> future() {
    return requested.copy();
  }

  /**
   * Requests the cancel: sets the flag and completes the futures. Idempotent.
   *
   * @return true when this call requested it
   */
  public boolean request() {
    return requested.complete(null);
  }
}
