package io.osapi.core.service;

/**
 * A controller-side service that listens to its job queue once started: {@link
 * DeadLetterService} (exhausted deliveries) and {@link JobTimeoutService} (due deadlines). A
 * process starts it when its backend is connected and closes it on shutdown; both calls are
 * idempotent.
 */
public interface QueueListener extends AutoCloseable {
  /**
   * Subscribes to the queue. Idempotent.
   *
   * @throws io.osapi.core.domain.BackendUnavailableException when the queue cannot be reached yet
   *     (call again later)
   */
  void start();

  /** Stops listening. Idempotent; never throws. */
  @Override
  void close();
}
