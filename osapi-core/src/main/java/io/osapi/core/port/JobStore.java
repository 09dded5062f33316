package io.osapi.core.port;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.StoreUsage;
import io.osapi.core.domain.Versioned;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Stores jobs: one record per job ({@link JobRecord}, written at submit) and its runs ({@link
 * Run}, one per {@link RunKey}), each changed only by compare-and-set on its revision.
 *
 * <p>Writes ({@link #create}, {@link #update}, {@link #putRun}) return a future at once so that
 * callers can pipeline them across jobs, and never throw: every failure completes that future
 * exceptionally (a {@code null} argument aside). A write that names a revision other than the
 * stored one (0 for "absent" in a create) fails with {@link
 * io.osapi.core.domain.RevisionConflictException} and changes nothing; a store that cannot be
 * reached fails with {@link io.osapi.core.domain.BackendUnavailableException}, and then the write
 * may or may not have taken effect: the caller settles it by reading the value again ({@link
 * #run}), never by time. Reads ({@link #find}, {@link #run}, {@link #runs}) and {@link #delete}
 * answer synchronously and throw those exceptions. {@code JobStoreContract} holds every
 * implementation to this.
 */
public interface JobStore {

  /**
   * Creates a job's record (create-if-absent); completes with its revision.
   *
   * <p>When the outcome is unknown (the store went away while writing), the store removes the
   * record once it is reachable again, unless a worker claimed the job meanwhile, so that a job the
   * caller was told failed does not stay submitted for ever.
   *
   * @return completes exceptionally with {@link io.osapi.core.domain.RevisionConflictException}
   *     when the job exists already
   */
  CompletableFuture<Long> create(JobRecord record);

  /**
   * Reads a job record.
   *
   * @return empty when there is no such job
   * @throws io.osapi.core.domain.CorruptRecordException when a record exists but cannot be read
   */
  Optional<Versioned<JobRecord>> find(JobId id);

  /**
   * Replaces a job record (the job-level timeline: retried), compare-and-set on {@code revision}.
   *
   * @return completes with the new revision; exceptionally with {@link
   *     io.osapi.core.domain.RevisionConflictException} when the record changed or does not exist
   */
  CompletableFuture<Long> update(JobRecord record, long revision);

  /**
   * Reads one run.
   *
   * @return empty when the run was never claimed
   * @throws io.osapi.core.domain.CorruptRecordException when it exists but cannot be read
   */
  Optional<Versioned<Run>> run(RunKey key);

  /**
   * Reads one run as {@link #run} does, without holding the caller: what such a read must wait
   * for is waited for on {@code executor} (by default the whole read), so a caller can read
   * something else meanwhile.
   *
   * @return completes as {@link #run} returns or throws
   */
  default CompletableFuture<Optional<Versioned<Run>>> runAsync(RunKey key, Executor executor) {
    return CompletableFuture.supplyAsync(() -> run(key), executor);
  }

  /**
   * Writes a run, compare-and-set: {@code revision} 0 creates it (it must be absent), else it must
   * be the stored revision.
   *
   * @return completes with the new revision
   */
  CompletableFuture<Long> putRun(RunKey key, Run run, long revision);

  /**
   * The runs of a job that exist, read by their known keys (the job's {@link JobRecord#runKeys()}),
   * never by a listing.
   */
  Map<RunKey, Run> runs(JobRecord record);

  /**
   * Watches the store's changes: replays what it holds, then delivers each write and delete to
   * {@code listener} (see {@link JobWatch}). This is how listings stay cheap: a job index keeps
   * what they need in memory instead of reading every key per call. A store that cannot be reached
   * yet starts the replay once it can.
   */
  JobWatch watch(JobWatch.Listener listener);

  /**
   * How long a record or run stays after its last write before the store drops it silently (NATS:
   * the bucket's max age), or zero for ever. A watcher ages its view out by this rule.
   */
  default Duration retention() {
    return Duration.ZERO;
  }

  /**
   * Measures how full the store is now (NATS: one request for the job bucket's state); called by a
   * background refresh, never on a request's path. A store refuses new jobs with {@link
   * io.osapi.core.domain.StoreFullException} while {@link StoreUsage#full()}, and takes them again
   * once deletes or expiry freed room.
   */
  default StoreUsage usage() {
    return StoreUsage.UNBOUNDED;
  }

  /**
   * Removes a job's record and runs.
   *
   * @return false when there was no such job
   */
  boolean delete(JobId id);
}
