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
 * broadcast job (expected workers) keeps the state of each worker's run in a side map, as its
 * status is an aggregate of them; an {@code _any} job needs only its status byte. During the
 * replay, the runs seen before their record wait for it (as orphans) until the replay ends.
 *
 * <p>Not thread-safe: {@link JobIndex} calls every method with its write lock held; it counts the
 * writes, schedules the retention's expiry and completes the waiters of jobs that end.
 */
final class IndexFeed {
  private final IndexBlocks jobs;
  /** Broadcast jobs: expected count and run states by worker. */
  private final Map<JobId, Broadcast> broadcasts = new HashMap<>();
  /** Broadcast jobs whose status is not terminal (for the rollouts, {@link RolloutService}). */
  private final Set<JobId> open = new LinkedHashSet<>();
  /** Runs seen before their record during the replay; null once it ended. */
  private Map<JobId, Orphan> orphans = new HashMap<>();

  IndexFeed(IndexBlocks jobs) {
    this.jobs = jobs;
  }

  /**
   * A job's record was written: a job already held has its write and update times moved on; a new
   * one is inserted with its status from the runs seen before it.
   *
   * @param written the record's write time, in {@link IndexBlock#seconds} form
   * @return the status of a job new to the index, or null when it was held already
   */
  JobStatus recordWritten(JobId id, JobWatch.RecordFacts facts, int written) {
    long hi = IndexBlock.hi(id);
    long lo = IndexBlock.lo(id);
    long at = jobs.locate(hi, lo);
    if (at >= 0) {
      IndexBlock blk = jobs.block(at);
      int p = IndexBlocks.pos(at);
      blk.written[p] = Integer.compareUnsigned(blk.written[p], written) >= 0
          ? blk.written[p] : written;
      jobs.touch(at, facts.updatedNanos());
      return null;
    }
    Orphan early = orphans == null ? null : orphans.remove(id);
    JobStatus status;
    if (facts.expected() > 0) {
      Broadcast bc = new Broadcast(facts.expected());
      if (early != null) {
        bc.runs.putAll(early.runs);
      }
      broadcasts.put(id, bc);
      status = bc.status();
      opened(id, status);
    } else {
      RunState any = early == null ? null : early.runs.get(RunKey.ANY);
      status = JobStatus.of(any);
    }
    long updated = Math.max(facts.updatedNanos(), early == null ? 0 : early.updated);
    jobs.insert(hi, lo, (byte) status.ordinal(), written, facts, updated);
    return status;
  }

  /**
   * A run was written.
   *
   * @return the job's new status, or null when the index does not hold the job (during the replay
   *     the run waits for its record) or the run is not one its status depends on
   */
  JobStatus runWritten(RunKey run, RunState state, long updatedNanos) {
    JobId id = run.job();
    String slot = run.slot();
    long at = jobs.locate(IndexBlock.hi(id), IndexBlock.lo(id));
    if (at < 0) {
      if (orphans != null) {
        Orphan o = orphans.computeIfAbsent(id, k -> new Orphan());
        o.runs.put(slot, state);
        o.updated = Math.max(o.updated, updatedNanos);
      }
      return null; // live: a run of a job that is gone (deleted, or claimed after its delete)
    }
    JobStatus status;
    Broadcast bc = broadcasts.get(id);
    if (bc != null) {
      bc.runs.put(slot, state);
      status = bc.status();
      opened(id, status);
    } else if (RunKey.ANY.equals(slot)) {
      status = JobStatus.of(state);
    } else {
      return null;
    }
    jobs.setStatus(at, status);
    jobs.touch(at, updatedNanos);
    return status;
  }

  /** A job's record was deleted: the job leaves the index. */
  void recordDeleted(JobId id) {
    if (orphans != null) {
      orphans.remove(id);
    }
    long at = jobs.locate(IndexBlock.hi(id), IndexBlock.lo(id));
    if (at >= 0) {
      jobs.remove(at);
      broadcasts.remove(id);
      open.remove(id);
    }
  }

  /** A run was deleted: the job's status is computed without it. */
  void runDeleted(RunKey run) {
    JobId id = run.job();
    String slot = run.slot();
    if (orphans != null) {
      Orphan o = orphans.get(id);
      if (o != null) {
        o.runs.remove(slot);
      }
    }
    long at = jobs.locate(IndexBlock.hi(id), IndexBlock.lo(id));
    if (at < 0) {
      return;
    }
    Broadcast bc = broadcasts.get(id);
    if (bc != null) {
      bc.runs.remove(slot);
      jobs.setStatus(at, bc.status());
      opened(id, bc.status());
    } else if (RunKey.ANY.equals(slot)) {
      jobs.setStatus(at, JobStatus.SUBMITTED);
    }
  }

  /** The job {@code (hi, lo)} was dropped from the blocks by the retention. */
  void dropped(long hi, long lo) {
    if (!broadcasts.isEmpty()) {
      JobId id = IndexBlock.id(hi, lo);
      broadcasts.remove(id);
      open.remove(id);
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

  /** Runs of a job whose record the replay has not delivered yet. */
  private static final class Orphan {
    final Map<String, RunState> runs = new HashMap<>(2);
    long updated;
  }
}
