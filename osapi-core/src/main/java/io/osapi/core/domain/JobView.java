package io.osapi.core.domain;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/**
 * A job with its computed status, per-worker states, timeline and results: what a job's detail
 * shows, computed from its record and its runs.
 *
 * @param job the stored job
 * @param status the overall status
 * @param workers per-worker states, by worker id
 * @param timeline what happened, oldest first (the record's and every run's entries)
 * @param results every finished run's result, oldest first
 * @param result the data of the newest completed run, or null
 * @param error the newest failure message when the status is failed or partial_failure, else null
 * @param updated the time of the newest timeline entry
 * @param verification whether {@code result} is the signed answer of the worker it came from;
 *     null when there is no result or signatures were not checked
 * @param trace the context of the job's create span (its trace id is what a job's detail shows),
 *     or null when it was not traced
 * @param rollout how far a rolling broadcast got, or null for any other job
 */
public record JobView(
    Job job,
    JobStatus status,
    Map<String, WorkerState> workers,
    List<TimelineEntry> timeline,
    List<JobResult> results,
    String result,
    String error,
    Instant updated,
    Verification verification,
    TraceContext trace,
    RolloutProgress rollout) {

  /**
   * The view of {@code record} with its runs ({@code runs} holds the runs that exist, by key;
   * missing ones were not claimed yet).
   */
  public static JobView of(JobRecord record, Map<RunKey, Run> runs) {
    return of(record, runs, (k, r) -> null);
  }

  /**
   * The view of {@code record} with its runs, each finished run checked by {@code check} (see
   * {@link Verification}; null means not checked).
   */
  public static JobView of(JobRecord record, Map<RunKey, Run> runs,
      BiFunction<RunKey, Run, Verification> check) {
    Job job = record.job();
    List<TimelineEntry> timeline = new ArrayList<>(record.timeline());
    Map<String, WorkerState> workers = new TreeMap<>();
    List<JobResult> results = new ArrayList<>();
    List<RunState> states = new ArrayList<>();
    int[] tally = new int[4]; // running, done, failed, skipped: a rollout's
    for (RunKey key : record.runKeys()) {
      Run r = runs.get(key);
      count(tally, record.released(key), r);
      if (r == null) {
        if (!key.shared()) {
          workers.put(key.slot(), new WorkerState(key.slot(), null, null, null, null, null));
        }
        continue;
      }
      states.add(r.state());
      timeline.addAll(r.timeline());
      String w = key.shared() ? r.worker() : key.slot();
      if (w != null) {
        String err = r.state() == RunState.FAILED || r.state() == RunState.RELEASED
            || r.state() == RunState.SKIPPED ? r.error() : null;
        workers.put(w, new WorkerState(w, r.state(), err, r.started(), r.ended(), r.duration()));
      }
      if (r.state().terminal()) {
        // a broadcast run failed before its worker claimed it (timed out) names the slot's worker
        results.add(new JobResult(job.id(), key.shared() ? r.worker() : key.slot(), r.attempt(),
            r.state(), r.result(), r.error(), r.ended(), check.apply(key, r)));
      }
    }
    JobStatus status = record.expected().isEmpty()
        ? JobStatus.of(states.isEmpty() ? null : states.get(0))
        : JobStatus.aggregate(states, record.expected().size());
    timeline.sort(Comparator.comparing(TimelineEntry::time));
    results.sort(Comparator.comparing(JobResult::time));
    Instant updated = job.created();
    for (TimelineEntry t : timeline) {
      if (t.time().isAfter(updated)) {
        updated = t.time();
      }
    }
    String result = null;
    Verification verification = null;
    String lastError = null;
    for (JobResult r : results) {
      if (r.status() == RunState.COMPLETED) {
        result = r.data();
        verification = r.verification();
      } else if (r.error() != null) {
        lastError = r.error();
      }
    }
    String error =
        status == JobStatus.FAILED || status == JobStatus.PARTIAL_FAILURE ? lastError : null;
    Rollout ro = record.rollout();
    RolloutProgress progress = ro == null ? null : new RolloutProgress(ro,
        record.expected().size(), Math.min(ro.released(), record.expected().size()), tally[0],
        tally[1], tally[2], tally[3]);
    return new JobView(job, status, Map.copyOf(workers), List.copyOf(timeline),
        List.copyOf(results), result, error, updated, verification, record.trace(), progress);
  }

  private static void count(int[] tally, boolean released, Run r) {
    if (r != null && r.state() == RunState.SKIPPED) {
      tally[3]++;
    } else if (released) {
      boolean ended = r != null && r.state().terminal();
      tally[ended ? 1 : 0]++;
      if (ended && r.state() == RunState.FAILED) {
        tally[2]++;
      }
    }
  }
}
