package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job with its computed status, per-worker states, timeline and results.
 *
 * @param job the stored job
 * @param status the overall status
 * @param workers per-worker states, by worker id
 * @param timeline events, oldest first
 * @param results every attempt's result, oldest first
 * @param result the data of the newest completed result, or null
 * @param error the newest failure message when the status is failed or partial_failure, else null
 * @param updated the time of the newest event
 */
public record JobView(
    Job job,
    JobStatus status,
    Map<String, WorkerState> workers,
    List<TimelineEntry> timeline,
    List<JobResult> results,
    String result,
    String error,
    Instant updated) {

  /** Computes the view of {@code job} from its events and results, in any order. */
  public static JobView of(Job job, List<StatusEvent> events, List<JobResult> results) {
    List<StatusEvent> sorted = new ArrayList<>(events);
    sorted.sort(Comparator.comparing(StatusEvent::time).thenComparing(e -> e.type().priority()));
    Map<String, EventType> state = new TreeMap<>();
    Map<String, Instant> started = new TreeMap<>();
    Map<String, Instant> ended = new TreeMap<>();
    Map<String, String> errors = new TreeMap<>();
    List<TimelineEntry> timeline = new ArrayList<>(sorted.size());
    Instant updated = job.created();
    String lastError = null;
    for (StatusEvent e : sorted) {
      String err = e.type() == EventType.FAILED ? e.data().get("error") : null;
      timeline.add(new TimelineEntry(e.time(), e.type().wire(), e.worker(), message(e), err));
      if (e.time().isAfter(updated)) {
        updated = e.time();
      }
      if (e.fromApi()) {
        continue;
      }
      state.merge(e.worker(), e.type(), JobView::later);
      if (e.type() == EventType.STARTED) {
        started.putIfAbsent(e.worker(), e.time());
      }
      if (e.type().terminal()) {
        ended.put(e.worker(), e.time());
      }
      if (err != null) {
        errors.put(e.worker(), err);
        lastError = err;
      }
    }
    Map<String, WorkerState> workers = new TreeMap<>();
    for (Map.Entry<String, EventType> s : state.entrySet()) {
      String w = s.getKey();
      Instant st = started.get(w);
      Instant en = ended.get(w);
      Duration d = st != null && en != null ? Duration.between(st, en) : null;
      String werr = s.getValue() == EventType.FAILED ? errors.get(w) : null;
      workers.put(w, new WorkerState(w, s.getValue(), werr, st, en, d));
    }
    JobStatus status = JobStatus.aggregate(state.values(), job.target() instanceof Target.Any);
    List<JobResult> res = new ArrayList<>(results);
    res.sort(Comparator.comparing(JobResult::time));
    String result = null;
    for (JobResult r : res) {
      if (r.status() == EventType.COMPLETED) {
        result = r.data();
      }
    }
    String error =
        status == JobStatus.FAILED || status == JobStatus.PARTIAL_FAILURE ? lastError : null;
    return new JobView(
        job, status, Map.copyOf(workers), List.copyOf(timeline), List.copyOf(res), result, error,
        updated);
  }

  /** The status computed from event keys alone, as listing and stats do. */
  public static JobStatus statusOf(List<EventKey> keys) {
    return statusOf(keys, false);
  }

  /**
   * The status computed from event keys alone; {@code oneWorkerJob} as in {@link
   * JobStatus#aggregate(java.util.Collection, boolean)}.
   */
  public static JobStatus statusOf(List<EventKey> keys, boolean oneWorkerJob) {
    List<EventKey> sorted = new ArrayList<>(keys);
    sorted.sort(Comparator.comparingLong(EventKey::unixNanos));
    Map<String, EventType> state = new TreeMap<>();
    for (EventKey k : sorted) {
      if (StatusEvent.API.equals(k.worker())) {
        continue;
      }
      state.merge(k.worker(), k.type(), JobView::later);
    }
    return JobStatus.aggregate(state.values(), oneWorkerJob);
  }

  /** The state after {@code next} follows {@code current}: higher priority, or equal and later. */
  private static EventType later(EventType current, EventType next) {
    return next.priority() >= current.priority() ? next : current;
  }

  private static String message(StatusEvent e) {
    return switch (e.type()) {
      case SUBMITTED -> "queued";
      case ACKNOWLEDGED -> "received by worker " + e.worker();
      case STARTED -> "processing began on " + e.worker();
      case COMPLETED -> "succeeded on " + e.worker();
      case FAILED -> "failed on " + e.worker();
      case RELEASED -> "handed back to the queue by " + e.worker();
      case RETRIED -> {
        String n = e.data().get("new_job_id");
        yield n == null ? "retried" : "retried as " + n;
      }
    };
  }
}
