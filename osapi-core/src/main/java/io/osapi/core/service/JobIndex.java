package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * What job listings need, in memory: every stored job's id, status and record write time, ordered
 * by id (version 7 ids sort by creation, so descending id order is newest first), with counts by
 * status. Fed by a {@link JobStore#watch} (replayed at start, incremental after), so a page and the
 * stats cost with the page, not with the store: the stats are counters, a page seeks its offset
 * over blocks that carry their own counts by status and then reads {@code limit} entries, a cursor
 * ({@code after}) is a binary search.
 *
 * <p>Layout, for about 25 bytes of heap per job: blocks of up to {@value #BLOCK} jobs in id order,
 * each block a set of parallel primitive arrays (the id as two longs, the status as a byte, the
 * record's write time in seconds as an int) plus its counts by status. Appends (new jobs have the
 * highest ids) fill the newest block and then open a new one; a write in the middle splits a full
 * block in two. Broadcast jobs (expected workers) also keep the state of each worker's run in a
 * side map, as their status is an aggregate; {@code _any} jobs need only the status byte.
 *
 * <p>Retention: values leave the store silently {@link JobStore#retention()} after their last
 * write (KV max age), so the index drops a job once its record is that old; this happens on every
 * read that finds the oldest job due, and on {@link #expire()}. The page's items are still read
 * from the store by their keys.
 *
 * <p>Thread-safe: one writer at a time (the watch's thread, expiry), readers in parallel.
 */
public final class JobIndex implements JobWatch.Listener, AutoCloseable {
  /** Jobs per block. */
  static final int BLOCK = 1024;

  private static final JobStatus[] STATUSES = JobStatus.values();

  private final Clock clock;
  private final long retentionMillis;
  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  /** Blocks in ascending id order (oldest first). Guarded by {@link #lock}. */
  private final ArrayList<Block> blocks = new ArrayList<>();
  private final long[] counts = new long[STATUSES.length];
  private long size;
  /** Broadcast jobs: expected count and run states by worker. */
  private final Map<JobId, Broadcast> broadcasts = new HashMap<>();
  /** Runs seen before their record during the replay; dropped when it ends. */
  private Map<JobId, Map<String, RunState>> orphans = new HashMap<>();
  private volatile boolean caughtUp;
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

  /** Stops watching. */
  @Override
  public void close() {
    JobWatch w = watch;
    if (w != null) {
      w.close();
    }
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
      return size;
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
        by.put(s, counts[s.ordinal()]);
      }
      return new JobStats(size, by);
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * One page of ids, newest first.
   *
   * @param ids the page
   * @param total how many jobs match the filter in all
   * @param more whether older matching jobs follow the page
   */
  public record Slice(List<JobId> ids, long total, boolean more) {
    /** Copies the list. */
    public Slice {
      ids = List.copyOf(ids);
    }
  }

  /**
   * A page of ids, newest first.
   *
   * @param status only jobs with this status, or null for all
   * @param limit most ids
   * @param offset matching jobs to skip (after the cursor, when there is one)
   * @param after the cursor: start with the newest job older than this id (which need not exist
   *     any more), or null for the newest
   */
  public Slice page(JobStatus status, int limit, long offset, JobId after) {
    expireIfDue();
    lock.readLock().lock();
    try {
      long total = status == null ? size : counts[status.ordinal()];
      int s = status == null ? -1 : status.ordinal();
      int b;
      int i;
      if (after == null) {
        b = blocks.size() - 1;
        i = b < 0 ? -1 : blocks.get(b).size - 1;
      } else {
        long hi = hi(after);
        long lo = lo(after);
        b = blockFor(hi, lo);
        if (b < 0) {
          b = -1; // older than everything
          i = -1;
        } else {
          int p = blocks.get(b).search(hi, lo);
          i = p >= 0 ? p - 1 : -p - 2; // the entry just older than the cursor
        }
      }
      // skip whole blocks while the offset allows
      long skip = offset;
      while (b >= 0 && skip > 0) {
        Block blk = blocks.get(b);
        int inBlock = i + 1; // entries 0..i are left in this block
        int matching = inBlock == blk.size ? blk.count(s)
            : (s < 0 ? inBlock : blk.countBelow(s, inBlock));
        if (matching <= skip) {
          skip -= matching;
          b--;
          i = b < 0 ? -1 : blocks.get(b).size - 1;
        } else {
          while (skip > 0) {
            if (s < 0 || blk.status[i] == s) {
              skip--;
            }
            i--;
          }
        }
      }
      List<JobId> out = new ArrayList<>(Math.min(limit, 128));
      while (b >= 0) {
        Block blk = blocks.get(b);
        if (s >= 0 && blk.counts[s] == 0) {
          b--;
          i = b < 0 ? -1 : blocks.get(b).size - 1;
          continue;
        }
        while (i >= 0) {
          if (s < 0 || blk.status[i] == s) {
            if (out.size() == limit) {
              return new Slice(out, total, true);
            }
            out.add(id(blk.hi[i], blk.lo[i]));
          }
          i--;
        }
        b--;
        i = b < 0 ? -1 : blocks.get(b).size - 1;
      }
      return new Slice(out, total, false);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The status the index holds for {@code id}, or null when it does not hold the job. */
  public JobStatus status(JobId id) {
    expireIfDue();
    lock.readLock().lock();
    try {
      long hi = hi(id);
      long lo = lo(id);
      int b = blockFor(hi, lo);
      if (b < 0) {
        return null;
      }
      Block blk = blocks.get(b);
      int p = blk.search(hi, lo);
      return p < 0 ? null : STATUSES[blk.status[p]];
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Heap the index's blocks take, estimated from their arrays (for the benchmark and docs; the
   * side map of broadcast jobs is not included).
   */
  public long blockBytes() {
    lock.readLock().lock();
    try {
      return (long) blocks.size() * Block.BYTES;
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
    int dropped = 0;
    long next = Long.MAX_VALUE;
    lock.writeLock().lock();
    try {
      int b = 0;
      while (b < blocks.size()) {
        Block blk = blocks.get(b);
        int kept = 0;
        boolean reachedFuture = false;
        for (int i = 0; i < blk.size; i++) {
          long byCreation = createdMillis(blk.hi[i]) + retentionMillis;
          long byWrite = writtenMillis(blk.written[i]) + retentionMillis;
          if (byCreation <= now && byWrite <= now) {
            dropped++;
            forget(blk.hi[i], blk.lo[i], blk.status[i]);
            blk.counts[blk.status[i]]--;
          } else {
            blk.copy(i, kept++);
            if (byCreation > now) {
              reachedFuture = true;
              next = Math.min(next, byCreation);
            } else {
              next = Math.min(next, byWrite); // a record written again later (a retry note)
            }
          }
        }
        blk.size = kept;
        if (kept == 0) {
          blocks.remove(b);
        } else {
          b++;
        }
        if (reachedFuture) {
          break;
        }
      }
      nextDue = next;
    } finally {
      lock.writeLock().unlock();
    }
    return dropped;
  }

  /** Bookkeeping of a job leaving (the caller fixes its block). */
  private void forget(long hi, long lo, byte status) {
    counts[status]--;
    size--;
    if (!broadcasts.isEmpty()) {
      broadcasts.remove(id(hi, lo));
    }
  }

  private void expireIfDue() {
    if (retentionMillis > 0 && nextDue <= clock.millis()) {
      expire();
    }
  }

  // ---- the watch

  @Override
  public void recordWritten(JobId id, int expected, long writtenMillis) {
    long hi = hi(id);
    long lo = lo(id);
    int written = seconds(writtenMillis);
    lock.writeLock().lock();
    try {
      writes++;
      int b = blockFor(hi, lo);
      if (b >= 0) {
        Block blk = blocks.get(b);
        int p = blk.search(hi, lo);
        if (p >= 0) {
          blk.written[p] = Math.max(blk.written[p], written);
          return;
        }
      }
      Map<String, RunState> early = orphans == null ? null : orphans.remove(id);
      JobStatus status;
      if (expected > 0) {
        Broadcast bc = new Broadcast(expected);
        if (early != null) {
          bc.runs.putAll(early);
        }
        broadcasts.put(id, bc);
        status = bc.status();
      } else {
        RunState any = early == null ? null : early.get(RunKey.ANY);
        status = JobStatus.of(any);
      }
      insert(hi, lo, (byte) status.ordinal(), written);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void runWritten(JobId id, String slot, RunState state) {
    lock.writeLock().lock();
    try {
      writes++;
      Loc at = locate(id);
      if (at == null) {
        if (orphans != null) {
          orphans.computeIfAbsent(id, k -> new HashMap<>(2)).put(slot, state);
        }
        return; // live: a run of a job that is gone (deleted, or claimed after its delete)
      }
      JobStatus status;
      Broadcast bc = broadcasts.get(id);
      if (bc != null) {
        bc.runs.put(slot, state);
        status = bc.status();
      } else if (RunKey.ANY.equals(slot)) {
        status = JobStatus.of(state);
      } else {
        return;
      }
      setStatus(at, status);
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void recordDeleted(JobId id) {
    lock.writeLock().lock();
    try {
      writes++;
      if (orphans != null) {
        orphans.remove(id);
      }
      Loc at = locate(id);
      if (at == null) {
        return;
      }
      Block blk = blocks.get(at.block);
      byte st = blk.status[at.pos];
      forget(blk.hi[at.pos], blk.lo[at.pos], st);
      blk.remove(at.pos);
      if (blk.size == 0) {
        blocks.remove(at.block);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void runDeleted(JobId id, String slot) {
    lock.writeLock().lock();
    try {
      writes++;
      if (orphans != null) {
        Map<String, RunState> o = orphans.get(id);
        if (o != null) {
          o.remove(slot);
        }
      }
      Loc at = locate(id);
      if (at == null) {
        return;
      }
      Broadcast bc = broadcasts.get(id);
      if (bc != null) {
        bc.runs.remove(slot);
        setStatus(at, bc.status());
      } else if (RunKey.ANY.equals(slot)) {
        setStatus(at, JobStatus.SUBMITTED);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public void caughtUp() {
    lock.writeLock().lock();
    try {
      orphans = null; // runs whose record never came belong to jobs that are gone
    } finally {
      lock.writeLock().unlock();
    }
    caughtUp = true;
    expire();
  }

  @Override
  public void behind(long writes) {
    behind = writes;
  }

  // ---- blocks

  private record Loc(int block, int pos) {}

  private Loc locate(JobId id) {
    long hi = hi(id);
    long lo = lo(id);
    int b = blockFor(hi, lo);
    if (b < 0) {
      return null;
    }
    int p = blocks.get(b).search(hi, lo);
    return p < 0 ? null : new Loc(b, p);
  }

  private void setStatus(Loc at, JobStatus status) {
    Block blk = blocks.get(at.block);
    byte old = blk.status[at.pos];
    byte now = (byte) status.ordinal();
    if (old != now) {
      blk.status[at.pos] = now;
      blk.counts[old]--;
      blk.counts[now]++;
      counts[old]--;
      counts[now]++;
    }
  }

  /** The block that holds or would hold the id: the last one whose first id is not greater. */
  private int blockFor(long hi, long lo) {
    int low = 0;
    int high = blocks.size() - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      Block blk = blocks.get(mid);
      if (compare(blk.hi[0], blk.lo[0], hi, lo) <= 0) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private void insert(long hi, long lo, byte status, int written) {
    counts[status]++;
    size++;
    if (retentionMillis > 0) {
      long due = Math.max(createdMillis(hi), writtenMillis(written)) + retentionMillis;
      if (due < nextDue) {
        nextDue = due;
      }
    }
    if (blocks.isEmpty()) {
      Block blk = new Block();
      blk.set(0, hi, lo, status, written);
      blk.size = 1;
      blk.counts[status]++;
      blocks.add(blk);
      return;
    }
    int b = Math.max(0, blockFor(hi, lo));
    Block blk = blocks.get(b);
    int p = -blk.search(hi, lo) - 1;
    if (blk.size == BLOCK) {
      if (p == BLOCK && b == blocks.size() - 1) { // an append: open a new block
        Block next = new Block();
        next.set(0, hi, lo, status, written);
        next.size = 1;
        next.counts[status]++;
        blocks.add(next);
        return;
      }
      Block upper = blk.splitUpper();
      blocks.add(b + 1, upper);
      if (p > blk.size) {
        blk = upper;
        p -= BLOCK / 2;
      }
    }
    blk.insert(p, hi, lo, status, written);
  }

  /** One block: parallel arrays, ascending ids, and counts by status. */
  private static final class Block {
    /** Heap per block: arrays with their headers, counts, the object. */
    static final long BYTES = 2L * (16 + 8L * BLOCK) + (16 + BLOCK) + (16 + 4L * BLOCK)
        + (16 + 4L * STATUSES.length) + 48;

    final long[] hi = new long[BLOCK];
    final long[] lo = new long[BLOCK];
    final byte[] status = new byte[BLOCK];
    final int[] written = new int[BLOCK];
    final int[] counts = new int[STATUSES.length];
    int size;

    /** Binary search: the position, or {@code -(insertion point) - 1}. */
    int search(long h, long l) {
      int low = 0;
      int high = size - 1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        int c = compare(hi[mid], lo[mid], h, l);
        if (c < 0) {
          low = mid + 1;
        } else if (c > 0) {
          high = mid - 1;
        } else {
          return mid;
        }
      }
      return -(low + 1);
    }

    void set(int i, long h, long l, byte s, int w) {
      hi[i] = h;
      lo[i] = l;
      status[i] = s;
      written[i] = w;
    }

    void copy(int from, int to) {
      if (from != to) {
        set(to, hi[from], lo[from], status[from], written[from]);
      }
    }

    void insert(int p, long h, long l, byte s, int w) {
      int n = size - p;
      if (n > 0) {
        System.arraycopy(hi, p, hi, p + 1, n);
        System.arraycopy(lo, p, lo, p + 1, n);
        System.arraycopy(status, p, status, p + 1, n);
        System.arraycopy(written, p, written, p + 1, n);
      }
      set(p, h, l, s, w);
      size++;
      counts[s]++;
    }

    void remove(int p) {
      counts[status[p]]--;
      int n = size - p - 1;
      if (n > 0) {
        System.arraycopy(hi, p + 1, hi, p, n);
        System.arraycopy(lo, p + 1, lo, p, n);
        System.arraycopy(status, p + 1, status, p, n);
        System.arraycopy(written, p + 1, written, p, n);
      }
      size--;
    }

    /** Moves the upper half into a new block. */
    Block splitUpper() {
      Block up = new Block();
      int half = size / 2;
      int n = size - half;
      System.arraycopy(hi, half, up.hi, 0, n);
      System.arraycopy(lo, half, up.lo, 0, n);
      System.arraycopy(status, half, up.status, 0, n);
      System.arraycopy(written, half, up.written, 0, n);
      up.size = n;
      for (int i = 0; i < n; i++) {
        up.counts[up.status[i]]++;
        counts[up.status[i]]--;
      }
      size = half;
      return up;
    }

    int count(int s) {
      return s < 0 ? size : counts[s];
    }

    /** Entries with status {@code s} among the first {@code n}. */
    int countBelow(int s, int n) {
      int c = 0;
      for (int i = 0; i < n; i++) {
        if (status[i] == s) {
          c++;
        }
      }
      return c;
    }
  }

  /** A broadcast job's expected count and the states of the runs that exist. */
  private static final class Broadcast {
    final int expected;
    final Map<String, RunState> runs = new HashMap<>(4);

    Broadcast(int expected) {
      this.expected = expected;
    }

    JobStatus status() {
      return JobStatus.aggregate(runs.values(), expected);
    }
  }

  // ---- ids as two longs

  static long hi(JobId id) {
    String v = id.value(); // canonical: 8-4-4-4-12 lowercase hex
    return (hex(v, 0, 8) << 32) | (hex(v, 9, 13) << 16) | hex(v, 14, 18);
  }

  static long lo(JobId id) {
    String v = id.value();
    return (hex(v, 19, 23) << 48) | hex(v, 24, 36);
  }

  private static long hex(String s, int from, int to) {
    long r = 0;
    for (int i = from; i < to; i++) {
      r = (r << 4) | Character.digit(s.charAt(i), 16);
    }
    return r;
  }

  static JobId id(long hi, long lo) {
    return new JobId(new UUID(hi, lo).toString());
  }

  /** Unsigned order of the 128 bits: the order of the canonical strings. */
  static int compare(long h1, long l1, long h2, long l2) {
    int c = Long.compareUnsigned(h1, h2);
    return c != 0 ? c : Long.compareUnsigned(l1, l2);
  }

  /** The creation time a version 7 id carries (its first 48 bits). */
  static long createdMillis(long hi) {
    return hi >>> 16;
  }

  private static int seconds(long millis) {
    long s = (millis + 999) / 1000;
    return (int) Math.min(Math.max(s, 0), 0xFFFFFFFFL); // read unsigned: good until 2106
  }

  private static long writtenMillis(int seconds) {
    return Integer.toUnsignedLong(seconds) * 1000L;
  }
}
