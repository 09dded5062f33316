package io.osapi.core.service;

import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Rollout;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.port.JobQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The rules of a rolling broadcast ({@link Rollout}), apart from who applies them: the first
 * release step at submit, what the next step is given the record and its runs ({@link #plan}),
 * and the notifications of a step. {@link JobSubmitter} and {@link RolloutService} use them.
 */
final class RolloutReleases {
  /** How long a released worker has to claim its run before its notification is sent again. */
  static final Duration REPUBLISH_AFTER = Duration.ofSeconds(5);
  /** Workers named in a release's timeline entry; more are counted. */
  private static final int NAMED = 5;

  private RolloutReleases() {}

  /** What to do next with a rollout. */
  enum Kind {
    /** Nothing now: no free slot (or the job is over, cancelled or past its deadline). */
    WAIT,
    /** Release the next {@code count} workers. */
    RELEASE,
    /** Too many failures: store the stop, then skip the workers not released. */
    STOP,
    /** Stopped already: skip the workers not released that have no run yet. */
    SKIP,
    /** Workers of the newest step have not claimed: send their notifications again. */
    REPUBLISH
  }

  /**
   * The next step.
   *
   * @param count how many workers to release ({@link Kind#RELEASE})
   * @param due when to look again at the latest, or null for "when a run changes"
   * @param reason why the rollout stops ({@link Kind#STOP})
   * @param workers whose notifications to send again ({@link Kind#REPUBLISH})
   */
  record Plan(Kind kind, int count, Instant due, String reason, List<String> workers) {
    static Plan waiting(Instant due) {
      return new Plan(Kind.WAIT, 0, due, null, List.of());
    }
  }

  /** {@code record} with {@code spec} started: the first step released (null spec: as it is). */
  static JobRecord first(JobRecord record, Rollout spec, Instant at) {
    if (spec == null) {
      return record;
    }
    int n = Math.min(spec.window(record.expected().size()), record.expected().size());
    Rollout started = spec.release(n, at);
    return record.withRollout(started).with(entry(record, started, at));
  }

  /** The timeline entry of a release step. */
  static TimelineEntry entry(JobRecord record, Rollout next, Instant at) {
    List<String> step = next.lastStep(record.expected());
    String names = String.join(", ", step.subList(0, Math.min(NAMED, step.size())))
        + (step.size() > NAMED ? " and " + (step.size() - NAMED) + " more" : "");
    return new TimelineEntry(at, "released", "_controller", "rollout released " + names + " ("
        + next.released() + " of " + record.expected().size() + " released)", null);
  }

  /** Publishes the notifications of the record's newest release step, one per worker. */
  static CompletableFuture<Void> publish(JobQueue queue, JobRecord record) {
    return publish(queue, record, record.rollout().lastStep(record.expected()));
  }

  /** Publishes the notifications of the runs released to {@code workers}. */
  static CompletableFuture<Void> publish(JobQueue queue, JobRecord record, List<String> workers) {
    List<CompletableFuture<Void>> all = new ArrayList<>(workers.size());
    for (String w : workers) {
      all.add(queue.publish(JobNotification.releasedTo(record, w)));
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
  }

  /**
   * What to do next with the rollout of {@code record}, given the runs that exist.
   *
   * @param horizon how long after a release step its notifications may be sent again (within the
   *     queue's de-duplication window, less a margin); past it a worker that never claimed is left
   *     to the job's deadline
   */
  static Plan plan(JobRecord record, Map<RunKey, Run> runs, Instant now, Duration horizon) {
    Rollout r = record.rollout();
    List<String> expected = record.expected();
    int n = expected.size();
    if (record.cancelRequested() != null) {
      return Plan.waiting(null); // the cancel skips the workers not released
    }
    if (r.stopped() != null) {
      return r.released() < n ? new Plan(Kind.SKIP, 0, null, r.stopped(), List.of())
          : Plan.waiting(null);
    }
    List<String> failed = new ArrayList<>();
    List<Instant> ends = new ArrayList<>();
    for (int i = 0; i < Math.min(r.released(), n); i++) {
      Run run = runs.get(RunKey.of(record.job().id(), expected.get(i)));
      if (run != null && run.state().terminal()) {
        ends.add(run.ended() == null ? now : run.ended());
        if (run.state() == RunState.FAILED) {
          failed.add(expected.get(i));
        }
      }
    }
    if (failed.size() > r.maxFailures()) {
      String reason = "rollout stopped: " + failed.size() + " released run"
          + (failed.size() == 1 ? "" : "s") + " failed (" + String.join(", ",
          failed.subList(0, Math.min(NAMED, failed.size()))) + (failed.size() > NAMED ? ", ..."
          : "") + "), more than max_failures " + r.maxFailures();
      return r.released() < n ? new Plan(Kind.STOP, 0, null, reason, List.of())
          : Plan.waiting(null);
    }
    if (r.released() >= n) {
      return Plan.waiting(null);
    }
    Instant deadline = record.deadline();
    if (deadline != null && !now.isBefore(deadline)) {
      return Plan.waiting(null); // the timeout service skips the rest
    }
    if (r.releasedAt() != null && now.isBefore(r.releasedAt().plus(horizon))) {
      List<String> unclaimed = new ArrayList<>();
      for (String w : r.lastStep(expected)) {
        if (!runs.containsKey(RunKey.of(record.job().id(), w))) {
          unclaimed.add(w);
        }
      }
      if (!unclaimed.isEmpty()) { // its publisher may have died: no step before they claim
        Instant again = r.releasedAt().plus(REPUBLISH_AFTER);
        return now.isBefore(again) ? Plan.waiting(again)
            : new Plan(Kind.REPUBLISH, 0, now.plus(REPUBLISH_AFTER), null, unclaimed);
      }
    }
    Collections.sort(ends);
    int window = r.window(n);
    int count = 0;
    Instant due = null;
    for (int i = r.released(); i < n; i++) {
      if (i >= window) {
        int j = i - window; // the release i waits for the j-th end, plus the pause
        if (j >= ends.size()) {
          break;
        }
        Instant free = ends.get(j).plus(r.pause());
        if (now.isBefore(free)) {
          due = free;
          break;
        }
      }
      count++;
    }
    return count > 0 ? new Plan(Kind.RELEASE, count, null, null, List.of()) : Plan.waiting(due);
  }
}
