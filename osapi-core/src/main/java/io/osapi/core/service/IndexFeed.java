package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobWatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The write side of {@link JobIndex} (moved out of it): applies what the store's watch delivers to
 * the index's blocks ({@link IndexBlocks}), and keeps what a job's status needs beyond them. A
 * broadcast job (expected workers) keeps the state and the worker of each run in a side map, as
 * its status is an aggregate of them; an {@code _any} job needs only its status byte and its run's
 * worker code. During the replay, the runs seen before their record wait for it (as orphans) until
 * the replay ends.
 *
 * <p>Not thread-safe: {@link JobIndex} calls every method with its write lock held; it counts the
 * writes, schedules the retention's expiry and completes the waiters of jobs that end.
 */
final class IndexFeed implements IndexBlocks.BroadcastWorkers {
  private final IndexBlocks jobs;
  /** Broadcast jobs: expected count, run states and workers by slot. */
  private final Map<Key, Broadcast> broadcasts = new HashMap<>();
  /** Broadcast jobs whose status is not terminal (for the rollouts, {@link RolloutService}). */
  private final Set<JobId> open = new LinkedHashSet<>();
  /** Runs seen before their record during the replay; null once it ended. */
  private Map<Key, Broadcast> orphans = new HashMap<>();

  IndexFeed(IndexBlocks jobs) {
    this.jobs = jobs;
  }

  /** A job id as the index keeps it. */
  private record Key(long hi, long lo) {
    static Key of(JobId id) {
      return new Key(IndexBlock.hi(id), IndexBlock.lo(id));
    }
  }

  /**
   * A job's record was written: a job already held has its write and update times moved on; a new
   * one is inserted with its status (and worker) from the runs seen before it.
   *
   * @param written the record's write time, in {@link IndexBlock#seconds} form
   * @return the status of a job new to the index, or null when it was held already
   */
  JobStatus recordWritten(JobId id, JobWatch.RecordFacts facts, int written) {
    Key k = Key.of(id);
    long at = jobs.locate(k.hi, k.lo);
    if (at >= 0) {
      IndexBlock blk = jobs.block(at);
      int p = IndexBlocks.pos(at);
      blk.written[p] = Integer.compareUnsigned(blk.written[p], written) >= 0
          ? blk.written[p] : written;
      jobs.touch(at, facts.updatedNanos());
      return null;
    }
    Broadcast early = orphans == null ? null : orphans.remove(k);
    JobStatus status;
    int worker;
    if (facts.expected() > 0) {
      Broadcast bc = new Broadcast(facts.expected());
      if (early != null) {
        bc.runs.putAll(early.runs);
        bc.workers.putAll(early.workers);
      }
      broadcasts.put(k, bc);
      status = bc.status();
      opened(id, status);
      worker = IndexBlock.BROADCAST;
    } else {
      RunState any = early == null ? null : early.runs.get(RunKey.ANY);
      status = JobStatus.of(any);
      Integer w = early == null ? null : early.workers.get(RunKey.ANY);
      worker = w == null ? IndexBlock.NO_WORKER : w;
    }
    long updated = Math.max(facts.updatedNanos(), early == null ? 0 : early.updated);
    jobs.insert(k.hi, k.lo, (byte) status.ordinal(), written, facts, worker, updated);
    return status;
  }

  /**
   * A run was written.
   *
   * @param worker the worker that holds or held the run, or null
   * @return the job's new status, or null when the index does not hold the job (during the replay
   *     the run waits for its record) or the run is not one its status depends on
   */
  JobStatus runWritten(RunKey run, RunState state, String worker, long updatedNanos) {
    Key k = Key.of(run.job());
    String slot = run.slot();
    int wk = worker == null ? IndexBlock.NO_WORKER : jobs.workers.code(worker);
    long at = jobs.locate(k.hi, k.lo);
    if (at < 0) {
      if (orphans != null) {
        Broadcast o = orphans.computeIfAbsent(k, x -> new Broadcast(0));
        o.put(slot, state, wk);
        o.updated = Math.max(o.updated, updatedNanos);
      }
      return null; // live: a run of a job that is gone (deleted, or claimed after its delete)
    }
    JobStatus status;
    Broadcast bc = broadcasts.get(k);
    if (bc != null) {
      bc.put(slot, state, wk);
      status = bc.status();
      opened(run.job(), status);
    } else if (RunKey.ANY.equals(slot)) {
      status = JobStatus.of(state);
      jobs.setWorker(at, wk);
    } else {
      return null;
    }
    jobs.setStatus(at, status);
    jobs.touch(at, updatedNanos);
    return status;
  }

  /** A job's record was deleted: the job leaves the index. */
  void recordDeleted(JobId id) {
    Key k = Key.of(id);
    if (orphans != null) {
      orphans.remove(k);
    }
    long at = jobs.locate(k.hi, k.lo);
    if (at >= 0) {
      jobs.remove(at);
      broadcasts.remove(k);
      open.remove(id);
    }
  }

  /** A run was deleted: the job's status is computed without it. */
  void runDeleted(RunKey run) {
    Key k = Key.of(run.job());
    String slot = run.slot();
    if (orphans != null) {
      Broadcast o = orphans.get(k);
      if (o != null) {
        o.remove(slot);
      }
    }
    long at = jobs.locate(k.hi, k.lo);
    if (at < 0) {
      return;
    }
    Broadcast bc = broadcasts.get(k);
    if (bc != null) {
      bc.remove(slot);
      jobs.setStatus(at, bc.status());
      opened(run.job(), bc.status());
    } else if (RunKey.ANY.equals(slot)) {
      jobs.setStatus(at, JobStatus.SUBMITTED);
      jobs.setWorker(at, IndexBlock.NO_WORKER);
    }
  }

  /** The job {@code (hi, lo)} was dropped from the blocks by the retention. */
  void dropped(long hi, long lo) {
    if (!broadcasts.isEmpty()) {
      broadcasts.remove(new Key(hi, lo));
      open.remove(IndexBlock.id(hi, lo));
    }
  }

  /** The broadcast jobs not ended, oldest first. */
  List<JobId> openBroadcasts() {
    return new ArrayList<>(open);
  }

  private void opened(JobId id, JobStatus status) {
    if (status.terminal()) {
      open.remove(id);
    } else {
      open.add(id);
    }
  }

  /** The replay ended: runs whose record never came belong to jobs that are gone. */
  void replayDone() {
    orphans = null;
  }

  @Override
  public boolean ranOn(long hi, long lo, int worker) {
    Broadcast bc = broadcasts.get(new Key(hi, lo));
    return bc != null && bc.workers.containsValue(worker);
  }

  /**
   * A broadcast job's expected count and the states and workers of the runs that exist (by slot);
   * also the runs of a job whose record the replay has not delivered yet (expected 0).
   */
  private static final class Broadcast {
    final int expected;
    final Map<String, RunState> runs = new HashMap<>(4);
    /** The interned worker of each run that has one. */
    final Map<String, Integer> workers = new HashMap<>(4);
    long updated;

    Broadcast(int expected) {
      this.expected = expected;
    }

    void put(String slot, RunState state, int worker) {
      runs.put(slot, state);
      if (worker == IndexBlock.NO_WORKER) {
        workers.remove(slot);
      } else {
        workers.put(slot, worker);
      }
    }

    void remove(String slot) {
      runs.remove(slot);
      workers.remove(slot);
    }

    JobStatus status() {
      return JobStatus.aggregate(runs.values(), expected);
    }
  }
}
