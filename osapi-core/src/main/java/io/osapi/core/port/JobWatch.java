package io.osapi.core.port;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TimelineEntry;
import java.time.Instant;
import java.util.Objects;

/**
 * A subscription to the changes of a {@link JobStore} ({@link JobStore#watch}): what a job index
 * needs to list and count jobs without reading the store on every call. Closing it stops the
 * deliveries; never throws.
 *
 * <p>A watch first replays what the store holds (the newest write of every key, in the order the
 * store took them), then calls {@link Listener#caughtUp()} once, then delivers each later write as
 * it happens. Values are not delivered, only what listings need: a record's {@link RecordFacts} and
 * write time, a run's state and newest timeline time. Values that leave the store by its retention
 * ({@link JobStore#retention()}) leave silently, as KV max age does on nats-server 2.9: the
 * listener ages them out by the same rule. Deletes are delivered.
 */
public interface JobWatch extends AutoCloseable {
  /**
   * What a listing shows of a job record, small enough to keep for every job.
   *
   * @param expected how many workers a broadcast job expects; 0 for {@code _any}
   * @param operation the operation type ("" when the store did not say)
   * @param target the target's text ("" when the store did not say)
   * @param createdNanos the job's creation time, epoch nanoseconds
   * @param updatedNanos the newest time among the creation and the record's timeline, epoch
   *     nanoseconds
   */
  record RecordFacts(
      int expected, String operation, String target, long createdNanos, long updatedNanos) {
    /** Checks the strings. */
    public RecordFacts {
      Objects.requireNonNull(operation, "operation");
      Objects.requireNonNull(target, "target");
    }

    /** The facts of {@code record}. */
    public static RecordFacts of(JobRecord record) {
      long created = nanos(record.job().created());
      long updated = created;
      for (TimelineEntry t : record.timeline()) {
        updated = Math.max(updated, nanos(t.time()));
      }
      return new RecordFacts(record.expected().size(), record.job().operation().type(),
          record.job().target().text(), created, updated);
    }
  }

  /** The newest time of {@code run}'s timeline, epoch nanoseconds; 0 when it has none. */
  static long updatedNanos(Run run) {
    long updated = 0;
    for (TimelineEntry t : run.timeline()) {
      updated = Math.max(updated, nanos(t.time()));
    }
    return updated;
  }

  /** {@code t} as epoch nanoseconds (exact from 1678 to 2262). */
  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  /** Epoch nanoseconds as an instant. */
  static Instant instant(long nanos) {
    return Instant.ofEpochSecond(Math.floorDiv(nanos, 1_000_000_000L),
        Math.floorMod(nanos, 1_000_000_000L));
  }

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
     * @param facts what a listing shows of it
     * @param writtenMillis when the store took the write (epoch milliseconds): retention counts
     *     from it
     */
    void recordWritten(JobId id, RecordFacts facts, long writtenMillis);

    /**
     * A run was written.
     *
     * @param run the job and slot of the run
     * @param state the run's state
     * @param worker the worker that holds or last held the run ({@link Run#worker()}), or null
     *     when none did (or the store did not say: a run written before the store kept it)
     * @param updatedNanos the newest time of the run's timeline ({@link #updatedNanos(Run)}),
     *     0 when unknown
     */
    void runWritten(RunKey run, RunState state, String worker, long updatedNanos);

    /** A job's record was deleted. */
    void recordDeleted(JobId id);

    /** A run was deleted. */
    void runDeleted(RunKey run);

    /** The replay of what the store held when the watch began is complete. Called once. */
    void caughtUp();

    /**
     * How many writes the store holds that were not delivered yet (the watch's lag), when the
     * store knows; called often, must be cheap.
     */
    default void behind(long writes) {}
  }
}
