package io.osapi.core.service;

import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.OperationQueue;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What job listings need, in memory: every stored job's summary ({@link JobSummary}: id, status,
 * operation type, target, creation and newest timeline time) and record write time, ordered by id
 * (version 7 ids sort by creation, so descending id order is newest first), with counts by status.
 * Fed by a {@link JobStore#watch} (replayed at start, incremental after), so a page and the stats
 * cost with the page, not with the store: the stats are counters, a page seeks its offset over
 * blocks that carry their own counts by status and then reads {@code limit} entries, a cursor
 * ({@code after}) is a binary search.
 *
 * <p>Layout, for about 49 bytes of heap per job: {@link IndexBlocks}, blocks of up to 1024 jobs in
 * id order, each block a set of parallel primitive arrays (the id and the two times as longs, the
 * status as a byte, the record's write time in seconds, the interned operation type, target and
 * run's worker as ints) plus its counts by status. The watch's writes are applied by {@link
 * IndexFeed}, which also keeps the state and worker of each run of a broadcast job (expected
 * workers) in a side map, as its status is an aggregate; {@code _any} jobs need only the status
 * byte and the worker's code.
 *
 * <p>Retention: values leave the store silently {@link JobStore#retention()} after their last
 * write (KV max age), so the index drops a job once its record is that old; this happens on every
 * read that finds the oldest job due, and on {@link #expire()}. A page's items come from memory:
 * a listing reads nothing from the store.
 *
 * <p>Thread-safe: one writer at a time (the watch's thread, expiry), readers in parallel.
 */
public final class JobIndex implements JobWatch.Listener, AutoCloseable {
  private static final JobStatus[] STATUSES = JobStatus.values();

  private final Clock clock;
  private volatile long retentionMillis;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** The jobs. Guarded by {@link #lock}. */
  private final IndexBlocks jobs = new IndexBlocks();
  /** Applies the watch's writes to {@link #jobs}. Guarded by {@link #lock}. */
  private final IndexFeed feed = new IndexFeed(jobs);
  private volatile boolean caughtUp;
  private final CountDownLatch caughtUpLatch = new CountDownLatch(1);
  private final DoneWaiters done = new DoneWaiters();
  private volatile long behind;
  private volatile long writes;
  private volatile JobWatch watch;
  /** No job is due to leave before this time (epoch ms); written with the write lock held. */
  private volatile long nextDue = Long.MAX_VALUE;

  /**
   * An index that is empty and not caught up; {@link #watch} feeds it.
   *
   * @param clock the time source of the retention
   * @param retention how long a job stays after its record's last write, zero for ever
   */
  public JobIndex(Clock clock, Duration retention) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.retentionMillis = Objects.requireNonNull(retention, "retention").toMillis();
  }

  /**
   * Follows the store's retention as it is now ({@link JobStore#retention()}: on NATS the bucket's
   * max age, which its owner may change): jobs leave by the new rule from the next expiry on.
   */
  public void retention(Duration retention) {
    long ms = Objects.requireNonNull(retention, "retention").toMillis();
    if (ms != retentionMillis) {
      retentionMillis = ms;
      nextDue = ms > 0 ? 0 : Long.MAX_VALUE; // look again at once
    }
  }

  /** An index of {@code store}, watching it from now on, with the store's retention. */
  public static JobIndex of(JobStore store, Clock clock) {
    JobIndex index = new JobIndex(clock, store.retention());
    index.watch(store);
    return index;
  }

  /** Starts watching {@code store} (once). */
  public void watch(JobStore store) {
    synchronized (this) {
      if (watch != null) {
        throw new IllegalStateException("the index watches a store already");
      }
      watch = store.watch(this);
    }
  }

  /** Stops watching; the futures of {@link JobClient#whenDone} still open fail. */
  @Override
  public void close() {
    JobWatch w = watch;
    if (w != null) {
      w.close();
    }
    done.closed();
  }

  /**
   * Waits until the index has read the store as it was when the watch started.
   *
   * @return whether it has, within {@code timeout}
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
    return caughtUpLatch.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** The terminal status of {@code id} once the index sees it (see {@link DoneWaiters}). */
  CompletableFuture<JobStatus> whenDone(JobId id) {
    return done.await(id, this::status);
  }

  // ---- reads

  /** Whether the replay of the store is complete: until then pages and stats are partial. */
  public boolean isCaughtUp() {
    return caughtUp;
  }

  /** Writes of the store the index has not seen yet, as its watch last said. */
  public long behind() {
    return behind;
  }

  /** Writes and deletes applied since the start. */
  public long applied() {
    return writes;
  }

  /** Jobs in the index. */
  public long size() {
    expireIfDue();
    lock.readLock().lock();
    try {
      return jobs.size;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Counts by status: O(1). */
  public JobStats stats() {
    expireIfDue();
    lock.readLock().lock();
    try {
      Map<JobStatus, Long> by = new EnumMap<>(JobStatus.class);
      for (JobStatus s : STATUSES) {
        by.put(s, jobs.counts[s.ordinal()]);
      }
      return new JobStats(jobs.size, by);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One page, newest first.
   *
   * @param items the page
   * @param total how many jobs match the filter in all
   * @param more whether older matching jobs follow the page
   */
  public record Slice(List<JobSummary> items, long total, boolean more) {
    /** Copies the list. */
    public Slice {
      items = List.copyOf(items);
    }

    /** The page's ids. */
    public List<JobId> ids() {
      return items.stream().map(JobSummary::id).toList();
    }
  }

  /**
   * A page, newest first: O(blocks skipped + page), with no store read.
   *
   * @param status only jobs with this status, or null for all
   * @param limit most items
   * @param offset matching jobs to skip (after the cursor, when there is one)
   * @param after the cursor: start with the newest job older than this id (which need not exist
   *     any more), or null for the newest
   */
  public Slice page(JobStatus status, int limit, long offset, JobId after) {
    expireIfDue();
    lock.readLock().lock();
    try {
      return jobs.page(status, limit, offset, after);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * A page of the jobs {@code filter} keeps, newest first, with no store read: by status alone as
   * {@link #page(JobStatus, int, long, JobId)}, else one pass over the index (see {@link
   * IndexBlocks#filtered}).
   */
  public Slice search(JobFilter filter, int limit, long offset, JobId after) {
    if (filter.statusOnly()) {
      return page(filter.status(), limit, offset, after);
    }
    expireIfDue();
    lock.readLock().lock();
    try {
      return jobs.filtered(filter, limit, offset, after, feed);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** What the index holds of {@code id}, or null when it does not hold the job. */
  public JobSummary summary(JobId id) {
    expireIfDue();
    lock.readLock().lock();
    try {
      long at = jobs.locate(IndexBlock.hi(id), IndexBlock.lo(id));
      return at < 0 ? null : jobs.summary(jobs.block(at), IndexBlocks.pos(at));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The jobs not started yet (status submitted) by operation: how many, and the age of the oldest
   * by the index's clock. Every operation of {@code labelled} has an entry (zeros when none), and
   * so has {@link OperationQueue#OTHER}, which counts the jobs of every other operation: the keys
   * are bounded by {@code labelled}, whatever the store holds.
   */
  public Map<String, OperationQueue> queues(Set<String> labelled) {
    lock.readLock().lock();
    try {
      return jobs.queues(labelled, JobWatch.nanos(clock.instant()));
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * What the index holds of every broadcast job that has not ended (submitted or processing), in
   * the order they were first seen: the jobs a rollout may be going on in ({@link RolloutService}).
   */
  public List<JobSummary> openBroadcasts() {
    lock.readLock().lock();
    try {
      List<JobSummary> out = new ArrayList<>();
      for (JobId id : feed.openBroadcasts()) {
        long at = jobs.locate(IndexBlock.hi(id), IndexBlock.lo(id));
        if (at >= 0) {
          out.add(jobs.summary(jobs.block(at), IndexBlocks.pos(at)));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The status the index holds for {@code id}, or null when it does not hold the job. */
  public JobStatus status(JobId id) {
    JobSummary s = summary(id);
    return s == null ? null : s.status();
  }

  /**
   * Heap the index's blocks take, estimated from their arrays (for the benchmark and docs; the
   * side map of broadcast jobs and the interned strings are not included).
   */
  public long blockBytes() {
    lock.readLock().lock();
    try {
      return jobs.bytes();
    } finally {
      lock.readLock().unlock();
    }
  }

  // ---- retention

  /**
   * Drops the jobs whose record is older than the retention (the store has dropped them). Looks
   * only at the oldest blocks: those whose jobs are due by their creation time, and one more.
   *
   * @return how many were dropped
   */
  public int expire() {
    if (retentionMillis <= 0) {
      return 0;
    }
    long now = clock.millis();
    int[] dropped = {0};
    lock.writeLock().lock();
    try {
      nextDue = jobs.expire(now, retentionMillis, (hi, lo) -> {
        dropped[0]++;
        feed.dropped(hi, lo);
      });
    } finally {
      lock.writeLock().unlock();
    }
    return dropped[0];
  }

  private void expireIfDue() {
    if (retentionMillis > 0 && nextDue <= clock.millis()) {
      expire();
    }
  }

  // ---- the watch

  @Override
  public void recordWritten(JobId id, JobWatch.RecordFacts facts, long writtenMillis) {
    int written = IndexBlock.seconds(writtenMillis);
    JobStatus changed;
    lock.writeLock().lock();
    try {
      writes++;
      changed = feed.recordWritten(id, facts, written);
      if (changed != null && retentionMillis > 0) {
        long due = Math.max(IndexBlock.createdMillis(IndexBlock.hi(id)),
            IndexBlock.writtenMillis(written)) + retentionMillis;
        if (due < nextDue) {
          nextDue = due;
        }
      }
    } finally {
      lock.writeLock().unlock();
    }
    if (changed != null) {
      done.changed(id, changed);
    }
  }

  @Override
  public void runWritten(RunKey run, RunState state, String worker, long updatedNanos) {
    JobStatus changed;
    lock.writeLock().lock();
    try {
      writes++;
      changed = feed.runWritten(run, state, worker, updatedNanos);
    } finally {
      lock.writeLock().unlock();
    }
    if (changed != null) {
      done.changed(run.job(), changed);
    }
  }

  @Override
  public void recordDeleted(JobId id) {
    lock.writeLock().lock();
    try {
      writes++;
      feed.recordDeleted(id);
    } finally {
      lock.writeLock().unlock();
    }
    done.deleted(id);
  }

  @Override
  public void runDeleted(RunKey run) {
    lock.writeLock().lock();
    try {
      writes++;
      feed.runDeleted(run);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void caughtUp() {
    lock.writeLock().lock();
    try {
      feed.replayDone();
    } finally {
      lock.writeLock().unlock();
    }
    caughtUp = true;
    caughtUpLatch.countDown();
    expire();
  }

  @Override
  public void behind(long writes) {
    behind = writes;
  }
}
