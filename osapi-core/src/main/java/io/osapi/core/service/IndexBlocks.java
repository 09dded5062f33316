package io.osapi.core.service;

import static io.osapi.core.service.IndexBlock.compare;

import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.OperationQueue;
import io.osapi.core.port.JobWatch;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The {@link JobIndex}'s jobs: {@link IndexBlock}s in ascending id order (oldest first), with the
 * counts by status over all of them and the interned strings. Appends (new jobs have the highest
 * ids) fill the newest block and then open a new one; a write in the middle splits a full block
 * in two. Not thread-safe: {@link JobIndex} guards it.
 */
final class IndexBlocks {
  private static final JobStatus[] STATUSES = JobStatus.values();

  private final ArrayList<IndexBlock> blocks = new ArrayList<>();
  private final Interner operations = new Interner();
  private final Interner targets = new Interner();
  /** The workers runs were held by ({@link IndexBlock#worker} and {@link IndexFeed}'s map). */
  final Interner workers = new Interner();
  final long[] counts = new long[STATUSES.length];
  long size;

  /** Where a job is: its block and its position there, packed; -1 when absent. */
  long locate(long hi, long lo) {
    int b = blockFor(hi, lo);
    if (b < 0) {
      return -1;
    }
    int p = blocks.get(b).search(hi, lo);
    return p < 0 ? -1 : ((long) b << 32) | p;
  }

  IndexBlock block(long at) {
    return blocks.get((int) (at >>> 32));
  }

  static int pos(long at) {
    return (int) at;
  }

  /** Sets the status of the job at {@code at}, keeping the counts. */
  void setStatus(long at, JobStatus status) {
    IndexBlock blk = block(at);
    int p = pos(at);
    byte old = blk.status[p];
    byte now = (byte) status.ordinal();
    if (old != now) {
      blk.status[p] = now;
      blk.counts[old]--;
      blk.counts[now]++;
      counts[old]--;
      counts[now]++;
    }
  }

  /** Raises the newest timeline time of the job at {@code at} to {@code nanos}. */
  void touch(long at, long nanos) {
    IndexBlock blk = block(at);
    int p = pos(at);
    blk.updated[p] = Math.max(blk.updated[p], nanos);
  }

  /** Sets the worker code ({@link IndexBlock#worker}) of the job at {@code at}. */
  void setWorker(long at, int worker) {
    block(at).worker[pos(at)] = worker;
  }

  /** Removes the job at {@code at}. */
  void remove(long at) {
    IndexBlock blk = block(at);
    int p = pos(at);
    counts[blk.status[p]]--;
    size--;
    blk.remove(p);
    if (blk.size == 0) {
      blocks.remove((int) (at >>> 32));
    }
  }

  /** Adds a job that is not there. */
  void insert(long hi, long lo, byte status, int written, JobWatch.RecordFacts facts,
      int worker, long updated) {
    counts[status]++;
    size++;
    int op = operations.code(facts.operation());
    int tg = targets.code(facts.target());
    long cr = facts.createdNanos();
    if (blocks.isEmpty()) {
      blocks.add(new IndexBlock());
    }
    int b = Math.max(0, blockFor(hi, lo));
    IndexBlock blk = blocks.get(b);
    int p = -blk.search(hi, lo) - 1;
    if (blk.size == IndexBlock.CAPACITY) {
      if (p == IndexBlock.CAPACITY && b == blocks.size() - 1) { // an append: open a new block
        blk = new IndexBlock();
        blocks.add(blk);
        p = 0;
      } else {
        IndexBlock upper = blk.splitUpper();
        blocks.add(b + 1, upper);
        if (p > blk.size) {
          blk = upper;
          p -= IndexBlock.CAPACITY / 2;
        }
      }
    }
    blk.insert(p, hi, lo, status, written, op, tg, worker, cr, updated);
  }

  /** The block that holds or would hold the id: the last one whose first id is not greater. */
  private int blockFor(long hi, long lo) {
    int low = 0;
    int high = blocks.size() - 1;
    int found = -1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      IndexBlock blk = blocks.get(mid);
      if (compare(blk.hi[0], blk.lo[0], hi, lo) <= 0) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  /**
   * See {@link JobIndex#queues}: one pass over the blocks that hold a submitted job (their counts
   * say which), so the cost grows with those blocks, not with the index.
   */
  Map<String, OperationQueue> queues(Set<String> labelled, long nowNanos) {
    byte submitted = (byte) JobStatus.SUBMITTED.ordinal();
    long[] pending = new long[operations.size()];
    long[] oldest = new long[operations.size()];
    Arrays.fill(oldest, Long.MAX_VALUE);
    for (IndexBlock blk : blocks) {
      if (blk.counts[submitted] == 0) {
        continue;
      }
      for (int i = 0; i < blk.size; i++) {
        if (blk.status[i] == submitted) {
          int op = blk.operation[i];
          pending[op]++;
          oldest[op] = Math.min(oldest[op], blk.created[i]);
        }
      }
    }
    Map<String, long[]> by = new TreeMap<>();
    for (String op : labelled) {
      by.put(op, new long[] {0, Long.MAX_VALUE});
    }
    long[] other = by.computeIfAbsent(OperationQueue.OTHER, k -> new long[] {0, Long.MAX_VALUE});
    for (int op = 0; op < pending.length; op++) {
      if (pending[op] > 0) {
        long[] a = by.getOrDefault(operations.value(op), other);
        a[0] += pending[op];
        a[1] = Math.min(a[1], oldest[op]);
      }
    }
    Map<String, OperationQueue> out = new TreeMap<>();
    by.forEach((op, a) -> out.put(op, a[0] == 0 ? OperationQueue.EMPTY : new OperationQueue(a[0],
        Duration.ofNanos(Math.max(0, nowNanos - a[1])))));
    return out;
  }

  /**
   * See {@link JobIndex#search}: one pass over every entry, newest
   * first (the total counts every match), comparing the interned codes, status byte and creation
   * time each entry keeps: no string is compared, nothing is read from the store. A broadcast job
   * filtered by worker asks {@code broadcasts} (its runs' workers are kept beside the blocks).
   */
  JobIndex.Slice filtered(JobFilter f, int limit, long offset, JobId after,
      BroadcastWorkers broadcasts) {
    int s = f.status() == null ? -1 : f.status().ordinal();
    int op = f.operation() == null ? -1 : operations.find(f.operation());
    int tg = f.target() == null ? -1 : targets.find(f.target());
    int wk = f.worker() == null ? IndexBlock.NO_WORKER : workers.find(f.worker());
    if ((f.operation() != null && op < 0) || (f.target() != null && tg < 0)
        || (f.worker() != null && wk < 0)) {
      return new JobIndex.Slice(List.of(), 0, false);
    }
    long from = f.createdAfter() == null ? Long.MIN_VALUE : nanos(f.createdAfter());
    long to = f.createdBefore() == null ? Long.MAX_VALUE : nanos(f.createdBefore());
    long ah = after == null ? 0 : IndexBlock.hi(after);
    long al = after == null ? 0 : IndexBlock.lo(after);
    long total = 0;
    long skip = offset;
    boolean more = false;
    List<JobSummary> out = new ArrayList<>(Math.min(limit, 128));
    for (int b = blocks.size() - 1; b >= 0; b--) {
      IndexBlock blk = blocks.get(b);
      if (s >= 0 && blk.counts[s] == 0) {
        continue;
      }
      for (int i = blk.size - 1; i >= 0; i--) {
        if ((s >= 0 && blk.status[i] != s) || (op >= 0 && blk.operation[i] != op)
            || (tg >= 0 && blk.target[i] != tg) || blk.created[i] < from
            || blk.created[i] >= to) {
          continue;
        }
        if (wk >= 0 && blk.worker[i] != wk && (blk.worker[i] != IndexBlock.BROADCAST
            || !broadcasts.ranOn(blk.hi[i], blk.lo[i], wk))) {
          continue;
        }
        total++;
        if (after != null && compare(blk.hi[i], blk.lo[i], ah, al) >= 0) {
          continue;
        }
        if (skip > 0) {
          skip--;
        } else if (out.size() < limit) {
          out.add(summary(blk, i));
        } else {
          more = true;
        }
      }
    }
    return new JobIndex.Slice(out, total, more);
  }

  /** {@code t} in epoch nanoseconds, past the range of a long held at its end. */
  private static long nanos(java.time.Instant t) {
    try {
      return JobWatch.nanos(t);
    } catch (ArithmeticException e) {
      return t.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** The summary of the job at {@code p} of {@code blk}. */
  JobSummary summary(IndexBlock blk, int p) {
    return new JobSummary(IndexBlock.id(blk.hi[p], blk.lo[p]), STATUSES[blk.status[p]],
        operations.value(blk.operation[p]), targets.value(blk.target[p]),
        JobWatch.instant(blk.created[p]), JobWatch.instant(blk.updated[p]));
  }

  /** See {@link JobIndex#page}. */
  JobIndex.Slice page(JobStatus status, int limit, long offset, JobId after) {
    long total = status == null ? size : counts[status.ordinal()];
    int s = status == null ? -1 : status.ordinal();
    int b;
    int i;
    if (after == null) {
      b = blocks.size() - 1;
      i = b < 0 ? -1 : blocks.get(b).size - 1;
    } else {
      long hi = IndexBlock.hi(after);
      long lo = IndexBlock.lo(after);
      b = blockFor(hi, lo);
      if (b < 0) {
        i = -1; // older than everything
      } else {
        int p = blocks.get(b).search(hi, lo);
        i = p >= 0 ? p - 1 : -p - 2; // the entry just older than the cursor
      }
    }
    // skip whole blocks while the offset allows
    long skip = offset;
    while (b >= 0 && skip > 0) {
      IndexBlock blk = blocks.get(b);
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
    List<JobSummary> out = new ArrayList<>(Math.min(limit, 128));
    while (b >= 0) {
      IndexBlock blk = blocks.get(b);
      if (s < 0 || blk.counts[s] > 0) {
        for (; i >= 0; i--) {
          if (s < 0 || blk.status[i] == s) {
            if (out.size() == limit) {
              return new JobIndex.Slice(out, total, true);
            }
            out.add(summary(blk, i));
          }
        }
      }
      b--;
      i = b < 0 ? -1 : blocks.get(b).size - 1;
    }
    return new JobIndex.Slice(out, total, false);
  }

  /**
   * Drops the jobs that are due at {@code now}, oldest blocks first, stopping after the first
   * block that holds a job not due by its creation time.
   *
   * @param now the time (epoch ms)
   * @param retentionMillis how long a job stays after its creation and its record's last write
   * @param dropped told of each job dropped (its id's two halves), after the counts are fixed
   * @return the earliest due time among the jobs looked at and kept, or {@link Long#MAX_VALUE}
   */
  long expire(long now, long retentionMillis, IdConsumer dropped) {
    long next = Long.MAX_VALUE;
    int b = 0;
    while (b < blocks.size()) {
      IndexBlock blk = blocks.get(b);
      int kept = 0;
      boolean reachedFuture = false;
      for (int i = 0; i < blk.size; i++) {
        long byCreation = IndexBlock.createdMillis(blk.hi[i]) + retentionMillis;
        long byWrite = IndexBlock.writtenMillis(blk.written[i]) + retentionMillis;
        if (byCreation <= now && byWrite <= now) {
          byte st = blk.status[i];
          blk.counts[st]--;
          counts[st]--;
          size--;
          dropped.accept(blk.hi[i], blk.lo[i]);
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
    return next;
  }

  /** Whether a broadcast job ran on a worker, by the codes of {@link #workers}. */
  interface BroadcastWorkers {
    boolean ranOn(long hi, long lo, int worker);
  }

  /** Receives an id as two longs. */
  interface IdConsumer {
    void accept(long hi, long lo);
  }

  /** Heap the blocks take, estimated from their arrays. */
  long bytes() {
    return (long) blocks.size() * IndexBlock.BYTES;
  }
}
