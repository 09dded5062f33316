package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.schedule.Every;
import io.osapi.core.schedule.Fire;
import io.osapi.core.schedule.FireOutcome;
import io.osapi.core.schedule.Overlap;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJob;
import io.osapi.core.schedule.ScheduleStore;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ScheduleStore} must do: one schedule per name, a create that refuses a taken
 * name, compare-and-set updates (of which, among writers naming the same revision, exactly one
 * wins), listing by name, deletes, and every field read back as written. An adapter's test
 * extends this class and supplies an empty store.
 */
public abstract class ScheduleStoreContract {
  /** The store under test, from {@link #newStore()} before each test. */
  protected ScheduleStore store;

  /** The store to test, empty. */
  protected abstract ScheduleStore newStore();

  @BeforeEach
  void setUpStore() {
    store = newStore();
  }

  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  /** A schedule named {@code name}, every 2 s, never fired. */
  protected static Schedule schedule(String name) {
    return Schedule.of(name, null, Every.parse("2s"), ZoneOffset.UTC,
        new ScheduleJob("diag.echo", "{\"n\":1}", null, null), Overlap.SKIP,
        Duration.ofMinutes(1), false, T0);
  }

  @Test
  void createThenGetReadsEveryFieldBack() {
    Schedule s = new Schedule("nightly-check", "30 2 * * 1-5", null, ZoneId.of("Europe/Paris"),
        new ScheduleJob("system.disk.get", "{\"a\":[1,2]}", "role:web", Duration.ofSeconds(90)),
        Overlap.ALLOW, Duration.ofMinutes(5), true, T0, T0.plusSeconds(60),
        new Fire(T0.plusSeconds(60), FireOutcome.FIRED, "0193a0a0-0000-7000-8000-000000000001",
            null),
        List.of(new Fire(T0.plusSeconds(30), FireOutcome.FAILED, null, "no worker"),
            new Fire(T0.plusSeconds(20), FireOutcome.SKIPPED_OVERLAP, null, null)),
        3, 2, 1, 1);
    long rev = store.create(s);
    assertThat(rev).isPositive();
    Versioned<Schedule> got = store.get("nightly-check").orElseThrow();
    assertThat(got.value()).isEqualTo(s);
    assertThat(got.revision()).isEqualTo(rev);
  }

  @Test
  void aTakenNameIsRefusedAndTheFirstKept() {
    store.create(schedule("a"));
    Schedule other = schedule("a").withPaused(true, T0);
    assertThatThrownBy(() -> store.create(other)).isInstanceOf(RevisionConflictException.class);
    assertThat(store.get("a").orElseThrow().value().paused()).isFalse();
  }

  @Test
  void updateNeedsTheCurrentRevision() {
    long r1 = store.create(schedule("a"));
    Schedule s2 = schedule("a").passed(T0.plusSeconds(2), FireOutcome.MISSED, 0);
    long r2 = store.update(s2, r1);
    assertThat(r2).isGreaterThan(r1);
    assertThatThrownBy(() -> store.update(schedule("a"), r1))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.get("a").orElseThrow()).isEqualTo(new Versioned<>(s2, r2));
  }

  @Test
  void updateOfAScheduleThatIsGoneConflicts() {
    long r1 = store.create(schedule("a"));
    assertThat(store.delete("a")).isTrue();
    assertThatThrownBy(() -> store.update(schedule("a"), r1))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.get("a")).isEmpty();
  }

  @Test
  void ofManyWritersNamingOneRevisionExactlyOneWins() throws Exception {
    long r1 = store.create(schedule("race"));
    int writers = 8;
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger wins = new AtomicInteger();
    ConcurrentLinkedQueue<Throwable> other = new ConcurrentLinkedQueue<>();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < writers; i++) {
      int n = i;
      Thread t = new Thread(() -> {
        try {
          go.await();
          store.update(schedule("race").claimed(T0.plusSeconds(2),
              "0193a0a0-0000-7000-8000-00000000000" + n, 0), r1);
          wins.incrementAndGet();
        } catch (RevisionConflictException e) {
          // lost
        } catch (Throwable e) {
          other.add(e);
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(other).isEmpty();
    assertThat(wins.get()).isEqualTo(1);
  }

  @Test
  void listHoldsEverySchedule() {
    store.create(schedule("b"));
    store.create(schedule("a"));
    store.create(schedule("c"));
    store.delete("c");
    List<String> names = new ArrayList<>();
    store.list().forEach(v -> names.add(v.value().name()));
    assertThat(names).containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void deleteSaysWhetherThereWasOne() {
    store.create(schedule("a"));
    assertThat(store.delete("a")).isTrue();
    assertThat(store.delete("a")).isFalse();
    assertThat(store.get("a")).isEmpty();
    store.create(schedule("a")); // the name is free again
    assertThat(store.get("a")).isPresent();
  }

  @Test
  void recentTicksAreBounded() {
    Schedule s = schedule("a");
    for (int i = 1; i <= 15; i++) {
      s = s.passed(T0.plus(2L * i, ChronoUnit.SECONDS), FireOutcome.SKIPPED_OVERLAP, 0);
    }
    store.create(s);
    Schedule got = store.get("a").orElseThrow().value();
    assertThat(got.recent()).hasSize(Schedule.RECENT);
    assertThat(got.recent().get(0).tick()).isEqualTo(T0.plusSeconds(30));
    assertThat(got.skipped()).isEqualTo(15);
  }
}
