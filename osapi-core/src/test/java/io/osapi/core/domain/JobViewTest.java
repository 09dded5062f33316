package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobViewTest {
  private final Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
  private final Job job =
      new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"), OperationKind.QUERY,
          Target.All.INSTANCE, t0);

  private StatusEvent ev(EventType t, String w, int sec, Map<String, String> data) {
    return new StatusEvent(job.id(), t, w, t0.plusSeconds(sec), data);
  }

  private StatusEvent ev(EventType t, String w, int sec) {
    return ev(t, w, sec, Map.of());
  }

  @Test
  void submittedWhenNoWorkerWrote() {
    JobView v = JobView.of(job, List.of(ev(EventType.SUBMITTED, StatusEvent.API, 0)), List.of());
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(v.timeline()).extracting(TimelineEntry::message).containsExactly("queued");
  }

  @Test
  void processingWhileAnyWorkerRuns() {
    JobView v = JobView.of(job, List.of(
        ev(EventType.ACKNOWLEDGED, "w1", 1), ev(EventType.COMPLETED, "w2", 2)), List.of());
    assertThat(v.status()).isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void completedFailedAndPartialFailure() {
    assertThat(JobView.of(job, List.of(ev(EventType.STARTED, "w1", 1),
        ev(EventType.COMPLETED, "w1", 2)), List.of()).status()).isEqualTo(JobStatus.COMPLETED);
    JobView failed = JobView.of(job, List.of(ev(EventType.STARTED, "w1", 1),
        ev(EventType.FAILED, "w1", 2, Map.of("error", "boom"))), List.of());
    assertThat(failed.status()).isEqualTo(JobStatus.FAILED);
    assertThat(failed.error()).isEqualTo("boom");
    JobView partial = JobView.of(job, List.of(ev(EventType.COMPLETED, "w1", 2),
        ev(EventType.FAILED, "w2", 2, Map.of("error", "disk"))), List.of());
    assertThat(partial.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
    assertThat(partial.workers().get("w2").error()).isEqualTo("disk");
    assertThat(partial.workers().get("w1").error()).isNull();
  }

  @Test
  void priorityNotOrderDecidesAWorkersState() {
    List<StatusEvent> events = new ArrayList<>(List.of(
        ev(EventType.ACKNOWLEDGED, "w1", 1), ev(EventType.STARTED, "w1", 1),
        ev(EventType.COMPLETED, "w1", 3), ev(EventType.ACKNOWLEDGED, "w1", 4)));
    for (int i = 0; i < 10; i++) {
      Collections.shuffle(events);
      assertThat(JobView.of(job, events, List.of()).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(JobView.statusOf(events.stream().map(e -> new EventKey(e.type(), e.worker())).toList()))
          .isEqualTo(JobStatus.COMPLETED);
    }
  }

  @Test
  void aReleasedAttemptCountsForNothingUntilTheWorkerStartsAgain() {
    List<StatusEvent> released = List.of(ev(EventType.ACKNOWLEDGED, "w1", 1),
        ev(EventType.STARTED, "w1", 1), ev(EventType.RELEASED, "w1", 2));
    assertThat(JobView.of(job, released, List.of()).status()).isEqualTo(JobStatus.SUBMITTED);
    List<StatusEvent> again = new ArrayList<>(released);
    again.add(ev(EventType.ACKNOWLEDGED, "w1", 3));
    again.add(ev(EventType.STARTED, "w1", 3));
    assertThat(JobView.of(job, again, List.of()).status()).isEqualTo(JobStatus.PROCESSING);
    List<StatusEvent> elsewhere = new ArrayList<>(released);
    elsewhere.add(ev(EventType.COMPLETED, "w2", 4));
    assertThat(JobView.of(job, elsewhere, List.of()).status()).isEqualTo(JobStatus.COMPLETED);
    List<EventKey> keys = new ArrayList<>();
    for (StatusEvent e : again) {
      keys.add(new EventKey(e.type(), e.worker(), EventKey.nanos(e.time())));
    }
    Collections.shuffle(keys);
    assertThat(JobView.statusOf(keys)).isEqualTo(JobStatus.PROCESSING);
  }

  @Test
  void workerStateHasTimesAndDuration() {
    JobView v = JobView.of(job, List.of(ev(EventType.STARTED, "w1", 1), ev(EventType.COMPLETED, "w1", 4)),
        List.of(new JobResult(job.id(), "w1", 1, EventType.COMPLETED, "{\"a\":1}", null, t0.plusSeconds(4))));
    WorkerState w = v.workers().get("w1");
    assertThat(w.duration()).hasSeconds(3);
    assertThat(v.result()).isEqualTo("{\"a\":1}");
    assertThat(v.updated()).isEqualTo(t0.plusSeconds(4));
  }

  @Test
  void apiEventsDoNotCountAsWorkers() {
    JobView v = JobView.of(job, List.of(ev(EventType.SUBMITTED, StatusEvent.API, 0),
        ev(EventType.RETRIED, StatusEvent.API, 5, Map.of("new_job_id", "x"))), List.of());
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(v.timeline()).extracting(TimelineEntry::message).containsExactly("queued", "retried as x");
  }
}
