package io.osapi.core.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobView;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.schedule.CronParser;
import io.osapi.core.schedule.FireOutcome;
import io.osapi.core.schedule.InMemoryScheduleStore;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJob;
import io.osapi.core.schedule.ScheduleMetrics;
import io.osapi.core.service.JobClient;
import io.osapi.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on the embedded broker with a clock the test moves: each tick fired once by
 * several schedulers, ticks missed and caught up, overlap, pause, and a claimed tick finished by
 * another controller.
 */
class SchedulerTest {
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");
  private final ManualClock clock = new ManualClock(T0.plusMillis(300));
  private final InMemoryBroker broker = InMemoryBroker.create(clock);
  private final JobClient client =
      JobClient.builder(broker, BuiltinOperations.registry()).clock(clock).build();
  private final InMemoryScheduleStore store = new InMemoryScheduleStore();
  private final Counts counts = new Counts();
  private final Schedules schedules = new Schedules(store, CronParser.none(), client, clock);

  @AfterEach
  void close() {
    client.close();
  }

  private Scheduler scheduler() {
    return new Scheduler(store, client, CronParser.none(), counts, clock);
  }

  private Schedule create(String name, String every, String overlap, String window) {
    return schedules.create(name, new ScheduleSpec(null, every, null,
        new ScheduleJob("diag.echo", "{}", null, null), overlap, window, null));
  }

  private Schedule get(String name) {
    return store.get(name).orElseThrow().value();
  }

  @Test
  void twoSchedulersFireEachTickOnce() {
    create("twice", "2s", "allow", null);
    Scheduler a = scheduler();
    Scheduler b = scheduler();
    for (int i = 0; i < 40; i++) { // 20 s in half seconds
      clock.advance(Duration.ofMillis(500));
      if (i % 2 == 0) {
        a.round();
        b.round();
      } else {
        b.round();
        a.round();
      }
    }
    Schedule s = get("twice");
    assertThat(s.fired()).isEqualTo(10);
    assertThat(counts.of(FireOutcome.FIRED)).isEqualTo(10);
    assertThat(client.list(null, 100, 0).total()).isEqualTo(10);
    Set<Instant> ticks = new HashSet<>();
    s.recent().forEach(f -> assertThat(ticks.add(f.tick())).isTrue());
    assertThat(ticks).hasSize(10);
    assertThat(s.missed()).isZero();
  }

  @Test
  void schedulersRacingOnThreadsFireEachTickOnce() throws Exception {
    create("race", "1s", "allow", null);
    AtomicBoolean stop = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Scheduler s = scheduler();
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          s.round();
        }
      });
      t.start();
      threads.add(t);
    }
    for (int i = 0; i < 30; i++) {
      clock.advance(Duration.ofMillis(500));
      Thread.sleep(5); // let the rounds see each clock value: races, not timing, are the subject
    }
    stop.set(true);
    for (Thread t : threads) {
      t.join();
    }
    scheduler().round();
    Schedule s = get("race");
    assertThat(s.fired() + s.missed()).isEqualTo(15);
    assertThat(client.list(null, 100, 0).total()).isEqualTo((int) s.fired());
    assertThat(counts.of(FireOutcome.FIRED)).isEqualTo(s.fired());
    assertThat(s.fired()).isPositive();
  }

  @Test
  void ticksLaterThanTheCatchUpWindowAreCountedMissed() {
    create("late", "1m", null, "5s");
    clock.advance(Duration.ofSeconds(630)); // no controller for ten minutes and a half
    scheduler().round();
    Schedule s = get("late");
    assertThat(s.fired()).isZero();
    assertThat(s.missed()).isEqualTo(10);
    assertThat(counts.of(FireOutcome.MISSED)).isEqualTo(10);
    assertThat(client.list(null, 100, 0).total()).isZero();
    // positive control: the next tick, on time, fires
    clock.advance(Duration.ofSeconds(31));
    scheduler().round();
    assertThat(get("late").fired()).isEqualTo(1);
  }

  @Test
  void theNewestTickWithinTheWindowFiresOnceAndTheOthersAreMissed() {
    create("catchup", "2s", null, "1m");
    clock.advance(Duration.ofSeconds(30));
    scheduler().round();
    scheduler().round();
    Schedule s = get("catchup");
    assertThat(s.fired()).isEqualTo(1);
    assertThat(s.missed()).isEqualTo(14);
    assertThat(s.recent().get(0).tick()).isEqualTo(T0.plusSeconds(30));
  }

  @Test
  void overlapSkipSkipsWhileThePreviousJobRuns() {
    create("skip", "2s", "skip", null);
    create("allow", "2s", "allow", null);
    Scheduler sc = scheduler();
    for (int i = 0; i < 3; i++) { // no worker: every job stays submitted
      clock.advance(Duration.ofSeconds(2));
      sc.round();
    }
    assertThat(get("skip").fired()).isEqualTo(1);
    assertThat(get("skip").skipped()).isEqualTo(2);
    assertThat(counts.of(FireOutcome.SKIPPED_OVERLAP)).isEqualTo(2);
    assertThat(get("allow").fired()).isEqualTo(3);
  }

  @Test
  void aPausedScheduleFiresNothingAndResumingSkipsThePausedTicks() {
    create("paused", "2s", null, null);
    create("control", "2s", null, null);
    schedules.change("paused", new ScheduleSpec(null, null, null, null, null, null, true));
    Scheduler sc = scheduler();
    for (int i = 0; i < 5; i++) {
      clock.advance(Duration.ofSeconds(2));
      sc.round();
    }
    assertThat(get("paused").fired()).isZero();
    assertThat(get("paused").missed()).isZero();
    assertThat(get("control").fired()).isPositive();
    schedules.change("paused", new ScheduleSpec(null, null, null, null, null, null, false));
    sc.round();
    assertThat(get("paused").fired()).isZero(); // the paused ticks are not caught up
    clock.advance(Duration.ofSeconds(2));
    sc.round();
    assertThat(get("paused").fired()).isEqualTo(1);
    assertThat(get("paused").missed()).isZero();
  }

  @Test
  void aTickClaimedByAControllerThatDiedIsFinishedOnceByAnother() {
    create("orphan", "2s", "allow", null);
    clock.advance(Duration.ofSeconds(2));
    var v = store.get("orphan").orElseThrow();
    String id = JobId.generate(clock).value();
    store.update(v.value().claimed(T0.plusSeconds(2), id, 0), v.revision()); // claimed, then died
    Scheduler other = scheduler();
    clock.advance(Duration.ofSeconds(5));
    other.round();
    assertThat(client.get(JobId.parse(id))).isEmpty(); // too early: its create may be held
    assertThat(get("orphan").pending()).isNotNull();
    clock.advance(Scheduler.REPAIR_AFTER);
    other.round();
    JobView job = client.get(JobId.parse(id)).orElseThrow();
    assertThat(job.timeline().get(0).message()).contains("schedule orphan")
        .contains(T0.plusSeconds(2).toString());
    assertThat(job.timeline().get(0).worker()).isEqualTo(JobClient.SCHEDULE_ACTOR);
    Schedule s = get("orphan");
    assertThat(s.pending()).isNull();
    assertThat(s.fired()).isEqualTo(1);
    assertThat(s.recent().get(0).jobId()).isEqualTo(id);
    // a second finish of the same tick (the first controller coming back) creates nothing more
    client.createScheduled(Scheduler.request(s.job()), JobId.parse(id), "orphan",
        T0.plusSeconds(2));
    assertThat(client.list(null, 100, 0).total()).isEqualTo(1);
  }

  @Test
  void aRefusedJobIsCountedFailed() {
    schedules.create("nobody", new ScheduleSpec(null, "2s", null,
        new ScheduleJob("diag.echo", null, "role:nobody", null), "allow", null, null));
    clock.advance(Duration.ofSeconds(2));
    scheduler().round();
    Schedule s = get("nobody");
    assertThat(s.failed()).isEqualTo(1);
    assertThat(s.recent().get(0).error()).isNotBlank();
    assertThat(s.pending()).isNull();
    assertThat(counts.of(FireOutcome.FAILED)).isEqualTo(1);
  }

  @Test
  void nextFiresFollowTheCadence() {
    Schedule s = create("next", "5m", null, null);
    assertThat(schedules.nextFires(s, 3)).containsExactly(T0.plusSeconds(300),
        T0.plusSeconds(600), T0.plusSeconds(900));
  }

  private static final class Counts implements ScheduleMetrics {
    private final Map<FireOutcome, AtomicLong> by = new EnumMap<>(FireOutcome.class);

    Counts() {
      for (FireOutcome o : FireOutcome.values()) {
        by.put(o, new AtomicLong());
      }
    }

    @Override
    public void ticks(FireOutcome outcome, long n) {
      by.get(outcome).addAndGet(n);
    }

    long of(FireOutcome o) {
      return by.get(o).get();
    }
  }
}
