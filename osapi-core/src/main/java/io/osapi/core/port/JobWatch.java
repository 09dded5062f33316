package io.osapi.core.port;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.RunState;

/**
 * A subscription to the changes of a {@link JobStore} ({@link JobStore#watch}): what a job index
 * needs to list and count jobs without reading the store on every call. Closing it stops the
 * deliveries; never throws.
 *
 * <p>A watch first replays what the store holds (the newest write of every key, in the order the
 * store took them), then calls {@link Listener#caughtUp()} once, then delivers each later write
 * as it happens. Values are not delivered, only what listings need: a record's expected worker
 * count and write time, a run's state. Values that leave the store by its retention ({@link
 * JobStore#retention()}) leave silently, as KV max age does on nats-server 2.9: the listener ages
 * them out by the same rule. Deletes are delivered.
 */
public interface JobWatch extends AutoCloseable {
  /** Stops the deliveries. Idempotent, never throws. */
  @Override
  void close();

  /**
   * Receives the changes of a store, from one thread at a time, in the order the store took the
   * writes of each key. Implementations must not block and must not throw.
   */
  interface Listener {
    /**
     * A job record was written (created, or updated to note a retry).
     *
     * @param id the job
     * @param expected how many workers a broadcast job expects; 0 for {@code _any}
     * @param writtenMillis when the store took the write (epoch milliseconds): retention counts
     *     from it
     */
    void recordWritten(JobId id, int expected, long writtenMillis);

    /** A run was written; {@code slot} is {@link io.osapi.core.domain.RunKey#ANY} or a worker. */
    void runWritten(JobId id, String slot, RunState state);

    /** A job's record was deleted. */
    void recordDeleted(JobId id);

    /** A run was deleted. */
    void runDeleted(JobId id, String slot);

    /** The replay of what the store held when the watch began is complete. Called once. */
    void caughtUp();

    /**
     * How many writes the store holds that were not delivered yet (the watch's lag), when the
     * store knows; called often, must be cheap.
     */
    default void behind(long writes) {}
  }
}
