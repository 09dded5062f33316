package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobViewTest {
  private final Instant t0 = Instant.parse("2026-11-26T10:00:00Z");

  private Instant at(int sec) {
    return t0.plusSeconds(sec);
  }

  private Job job(Target target) {
    return new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
        OperationKind.QUERY, target, t0);
  }

  private JobRecord anyRecord() {
    return JobRecord.submitted(job(Target.Any.INSTANCE), List.of());
  }

  private JobRecord broadcast(String... workers) {
    return JobRecord.submitted(job(Target.All.INSTANCE), List.of(workers));
  }

  private static Map<RunKey, Run> any(JobRecord r, Run run) {
    return Map.of(RunKey.any(r.job().id()), run);
  }

  private Run completed(String worker, int start, int end, String data) {
    return Run.claim(null, worker, 1, at(start))
        .finish(RunState.COMPLETED, data, null, false, at(end));
  }

  private Run failed(String worker, int start, int end, String error) {
    return Run.claim(null, worker, 1, at(start))
        .finish(RunState.FAILED, null, error, false, at(end));
  }

  @Test
  void anAnyJobNobodyClaimedIsSubmitted() {
    JobRecord r = anyRecord();
    JobView v = JobView.of(r, Map.of());
    assertThat(v.job()).isEqualTo(r.job());
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(v.workers()).isEmpty();
    assertThat(v.timeline()).extracting(TimelineEntry::message).containsExactly("queued");
    assertThat(v.results()).isEmpty();
    assertThat(v.result()).isNull();
    assertThat(v.error()).isNull();
    assertThat(v.updated()).isEqualTo(t0);
  }

  @Test
  void anAnyJobsStatusAndWorkerComeFromItsRun() {
    JobRecord r = anyRecord();
    Run running = Run.claim(null, "w1", 1, at(1));
    JobView v = JobView.of(r, any(r, running));
    assertThat(v.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(v.workers()).containsOnlyKeys("w1");
    assertThat(v.workers().get("w1"))
        .isEqualTo(new WorkerState("w1", RunState.RUNNING, null, at(1), null, null));

    Run released = running.release("db down", at(2));
    JobView back = JobView.of(r, any(r, released));
    assertThat(back.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(back.workers().get("w1").state()).isEqualTo(RunState.RELEASED);
    assertThat(back.workers().get("w1").error()).isEqualTo("db down");
    assertThat(back.error()).as("a released run is not a failure of the job").isNull();

    JobView done = JobView.of(r, any(r, Run.claim(released, "w2", 2, at(3))
        .finish(RunState.COMPLETED, "{\"a\":1}", null, false, at(7))));
    assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(done.workers()).as("the shared run names its last holder").containsOnlyKeys("w2");
    assertThat(done.workers().get("w2").duration()).hasSeconds(4);
    assertThat(done.result()).isEqualTo("{\"a\":1}");
    assertThat(done.results()).containsExactly(
        new JobResult(r.job().id(), "w2", 2, RunState.COMPLETED, "{\"a\":1}", null, at(7)));
    assertThat(done.updated()).isEqualTo(at(7));
  }

  @Test
  void aFailedAnyJobShowsItsError() {
    JobRecord r = anyRecord();
    JobView v = JobView.of(r, any(r, failed("w1", 1, 2, "boom")));
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.error()).isEqualTo("boom");
    assertThat(v.result()).isNull();
    assertThat(v.workers().get("w1").error()).isEqualTo("boom");
  }

  @Test
  void anAnyJobDeadLetteredBeforeAnyClaimIsFailedWithNoWorker() {
    JobRecord r = anyRecord();
    JobView v = JobView.of(r, any(r, Run.deadLetter(null, "max deliveries reached", at(60))));
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.error()).isEqualTo("max deliveries reached");
    assertThat(v.workers()).isEmpty();
    assertThat(v.results()).extracting(JobResult::worker).containsExactly((String) null);
  }

  @Test
  void aBroadcastListsEveryExpectedWorkerAndWaitsForAllOfThem() {
    JobRecord r = broadcast("w1", "w2", "w3");
    JobId id = r.job().id();
    JobView none = JobView.of(r, Map.of());
    assertThat(none.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(none.workers()).containsOnlyKeys("w1", "w2", "w3");
    assertThat(none.workers().get("w2"))
        .isEqualTo(new WorkerState("w2", null, null, null, null, null));

    Map<RunKey, Run> runs = new HashMap<>();
    runs.put(RunKey.of(id, "w1"), completed("w1", 1, 2, "{\"n\":1}"));
    runs.put(RunKey.of(id, "w2"), failed("w2", 1, 3, "disk full"));
    JobView twoOfThree = JobView.of(r, runs);
    assertThat(twoOfThree.status()).as("w3 has not run it yet").isEqualTo(JobStatus.PROCESSING);
    assertThat(twoOfThree.error()).isNull();
    assertThat(twoOfThree.workers().get("w3").state()).isNull();

    runs.put(RunKey.of(id, "w3"), completed("w3", 2, 5, "{\"n\":3}"));
    JobView all = JobView.of(r, runs);
    assertThat(all.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
    assertThat(all.error()).isEqualTo("disk full");
    assertThat(all.result()).as("the newest completed run's data").isEqualTo("{\"n\":3}");
    assertThat(all.results()).extracting(JobResult::worker).containsExactly("w1", "w2", "w3");
    assertThat(all.workers().get("w1").error()).isNull();
    assertThat(all.workers().get("w2").error()).isEqualTo("disk full");
    assertThat(all.updated()).isEqualTo(at(5));
  }

  @Test
  void aBroadcastCompletesOrFailsAsAWhole() {
    JobRecord r = broadcast("w1", "w2");
    JobId id = r.job().id();
    JobView ok = JobView.of(r, Map.of(RunKey.of(id, "w1"), completed("w1", 1, 2, "{}"),
        RunKey.of(id, "w2"), completed("w2", 1, 2, "{}")));
    assertThat(ok.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(ok.error()).isNull();
    JobView bad = JobView.of(r, Map.of(RunKey.of(id, "w1"), failed("w1", 1, 2, "a"),
        RunKey.of(id, "w2"), failed("w2", 1, 4, "b")));
    assertThat(bad.status()).isEqualTo(JobStatus.FAILED);
    assertThat(bad.error()).as("the newest failure").isEqualTo("b");
  }

  @Test
  void runsOfWorkersNotExpectedAreLeftOut() {
    JobRecord r = broadcast("w1");
    JobId id = r.job().id();
    JobView v = JobView.of(r, Map.of(RunKey.of(id, "w1"), completed("w1", 1, 2, "{}"),
        RunKey.of(id, "late"), failed("late", 1, 3, "not expected")));
    assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(v.workers()).containsOnlyKeys("w1");
    assertThat(v.results()).hasSize(1);
    assertThat(v.timeline()).extracting(TimelineEntry::worker).doesNotContain("late");
  }

  @Test
  void theTimelineMergesTheRecordAndEveryRunOldestFirst() {
    JobRecord r = broadcast("w1", "w2")
        .with(new TimelineEntry(at(3), "retried", "_api", "retried by ops", null));
    JobId id = r.job().id();
    Run w1 = Run.claim(null, "w1", 1, at(2)).release("busy", at(4));
    Run w2 = completed("w2", 1, 5, "{}");
    JobView v = JobView.of(r, Map.of(RunKey.of(id, "w1"), w1, RunKey.of(id, "w2"), w2));
    assertThat(v.timeline()).extracting(TimelineEntry::time)
        .containsExactly(t0, at(1), at(2), at(3), at(4), at(5));
    assertThat(v.timeline()).extracting(TimelineEntry::event)
        .containsExactly("submitted", "started", "started", "retried", "released", "completed");
    assertThat(v.timeline()).extracting(TimelineEntry::worker)
        .containsExactly("_api", "w2", "w1", "_api", "w1", "w2");
    assertThat(v.updated()).isEqualTo(at(5));
  }
}
