package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RunTest {
  private final Instant t0 = Instant.parse("2026-11-26T10:00:00Z");

  private Instant at(int sec) {
    return t0.plusSeconds(sec);
  }

  @Test
  void aFirstClaimMakesARunningRun() {
    Run r = Run.claim(null, "w1", 1, at(1));
    assertThat(r.state()).isEqualTo(RunState.RUNNING);
    assertThat(r.worker()).isEqualTo("w1");
    assertThat(r.attempt()).isEqualTo(1);
    assertThat(r.started()).isEqualTo(at(1));
    assertThat(r.ended()).isNull();
    assertThat(r.result()).isNull();
    assertThat(r.error()).isNull();
    assertThat(r.deadLettered()).isFalse();
    assertThat(r.duration()).isNull();
    assertThat(r.timeline()).containsExactly(
        new TimelineEntry(at(1), "started", "w1", "processing began on w1", null));
    assertThat(r.heldBy("w1", 1)).isTrue();
    assertThat(r.heldBy("w1", 2)).isFalse();
    assertThat(r.heldBy("w2", 1)).isFalse();
  }

  @Test
  void aClaimOnALaterDeliverySaysWhichOne() {
    Run r = Run.claim(null, "w1", 3, at(1));
    assertThat(r.timeline()).extracting(TimelineEntry::message)
        .containsExactly("processing began on w1 (delivery 3)");
  }

  @Test
  void aLaterDeliveryTakesARunningRunOver() {
    Run first = Run.claim(null, "w1", 1, at(1));
    Run taken = Run.claim(first, "w2", 2, at(40));
    assertThat(taken.state()).isEqualTo(RunState.RUNNING);
    assertThat(taken.worker()).isEqualTo("w2");
    assertThat(taken.attempt()).isEqualTo(2);
    assertThat(taken.started()).isEqualTo(at(40));
    assertThat(taken.timeline()).extracting(TimelineEntry::message).containsExactly(
        "processing began on w1", "taken over by w2 from w1 (delivery 2)");
    assertThat(taken.heldBy("w1", 1)).isFalse();
    assertThat(taken.heldBy("w2", 2)).isTrue();
  }

  @Test
  void aReleasedRunWaitsAndIsClaimedAgain() {
    Run released = Run.claim(null, "w1", 1, at(1)).release("db down", at(2));
    assertThat(released.state()).isEqualTo(RunState.RELEASED);
    assertThat(released.worker()).isEqualTo("w1");
    assertThat(released.error()).isEqualTo("db down");
    assertThat(released.ended()).isNull();
    assertThat(released.heldBy("w1", 1)).isFalse();
    assertThat(released.timeline()).last().isEqualTo(new TimelineEntry(at(2), "released", "w1",
        "handed back to the queue by w1", "db down"));

    Run again = Run.claim(released, "w2", 2, at(5));
    assertThat(again.state()).isEqualTo(RunState.RUNNING);
    assertThat(again.error()).isNull();
    assertThat(again.timeline()).extracting(TimelineEntry::event)
        .containsExactly("started", "released", "started");
    assertThat(again.timeline()).last().extracting(TimelineEntry::message)
        .isEqualTo("processing began on w2 (delivery 2)");
  }

  @Test
  void onlyARunningRunIsReleasedOrFinished() {
    Run released = Run.claim(null, "w1", 1, at(1)).release("x", at(2));
    assertThatThrownBy(() -> released.release("y", at(3))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> released.finish(RunState.COMPLETED, "{}", null, false, at(3)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void finishingCompletedKeepsTheResult() {
    Run done = Run.claim(null, "w1", 2, at(1))
        .finish(RunState.COMPLETED, "{\"a\":1}", "ignored", false, at(4));
    assertThat(done.state()).isEqualTo(RunState.COMPLETED);
    assertThat(done.result()).isEqualTo("{\"a\":1}");
    assertThat(done.error()).isNull();
    assertThat(done.attempt()).isEqualTo(2);
    assertThat(done.ended()).isEqualTo(at(4));
    assertThat(done.duration()).hasSeconds(3);
    assertThat(done.deadLettered()).isFalse();
    assertThat(done.timeline()).last()
        .isEqualTo(new TimelineEntry(at(4), "completed", "w1", "succeeded on w1", null));
  }

  @Test
  void finishingFailedKeepsTheErrorTheResultAndWhetherTheWorkerGaveUp() {
    Run failed = Run.claim(null, "w1", 5, at(1))
        .finish(RunState.FAILED, "{}", "still down", true, at(2));
    assertThat(failed.state()).isEqualTo(RunState.FAILED);
    assertThat(failed.error()).isEqualTo("still down");
    assertThat(failed.result()).isEqualTo("{}");
    assertThat(failed.deadLettered()).isTrue();
    assertThat(failed.timeline()).last()
        .isEqualTo(new TimelineEntry(at(2), "failed", "w1", "failed on w1", "still down"));
  }

  @Test
  void finishNeedsATerminalState() {
    Run running = Run.claim(null, "w1", 1, at(1));
    assertThatThrownBy(() -> running.finish(RunState.RELEASED, null, null, false, at(2)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> running.finish(RunState.RUNNING, null, null, false, at(2)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aRunNeverClaimedIsDeadLettered() {
    Run dead = Run.deadLetter(null, "max deliveries (5) reached", at(9));
    assertThat(dead.state()).isEqualTo(RunState.FAILED);
    assertThat(dead.deadLettered()).isTrue();
    assertThat(dead.worker()).isNull();
    assertThat(dead.attempt()).isZero();
    assertThat(dead.started()).isNull();
    assertThat(dead.ended()).isEqualTo(at(9));
    assertThat(dead.error()).isEqualTo("max deliveries (5) reached");
    assertThat(dead.timeline()).containsExactly(new TimelineEntry(at(9), "failed", "_queue",
        "dead-lettered: max deliveries (5) reached", "max deliveries (5) reached"));
  }

  @Test
  void aRunningOrReleasedRunIsDeadLetteredKeepingItsHolder() {
    Run running = Run.claim(null, "w1", 2, at(1));
    Run dead = Run.deadLetter(running, "hung", at(30));
    assertThat(dead.state()).isEqualTo(RunState.FAILED);
    assertThat(dead.worker()).isEqualTo("w1");
    assertThat(dead.attempt()).isEqualTo(2);
    assertThat(dead.started()).isEqualTo(at(1));
    assertThat(dead.duration()).hasSeconds(29);
    assertThat(dead.timeline()).extracting(TimelineEntry::event).containsExactly("started", "failed");
    assertThat(dead.heldBy("w1", 2)).isFalse();

    Run released = running.release("x", at(2));
    assertThat(Run.deadLetter(released, "gave up", at(3)).deadLettered()).isTrue();
  }

  @Test
  void aTerminalRunRefusesEveryChange() {
    Run running = Run.claim(null, "w1", 1, at(1));
    List<Run> terminal = List.of(
        running.finish(RunState.COMPLETED, "{}", null, false, at(2)),
        running.finish(RunState.FAILED, null, "boom", false, at(2)),
        Run.deadLetter(running, "hung", at(2)),
        Run.deadLetter(null, "never claimed", at(2)));
    List<Function<Run, Run>> changes = List.of(
        r -> r.release("x", at(3)),
        r -> r.finish(RunState.COMPLETED, "{}", null, false, at(3)),
        r -> r.finish(RunState.FAILED, null, "again", false, at(3)),
        r -> Run.deadLetter(r, "again", at(3)),
        r -> Run.claim(r, "w1", 2, at(3)),
        r -> Run.claim(r, "w2", 2, at(3)));
    for (Run r : terminal) {
      for (Function<Run, Run> change : changes) {
        assertThatThrownBy(() -> change.apply(r))
            .as("%s run: a change", r.state().wire())
            .isInstanceOf(IllegalStateException.class);
      }
    }
  }

  @Test
  void theTimelineKeepsTheFirstAndTheNewestEntries() {
    Run r = Run.claim(null, "w1", 1, at(0));
    for (int i = 1; i <= 20; i++) {
      r = Run.claim(r.release("transient " + i, at(2 * i - 1)), "w1", i + 1, at(2 * i));
    }
    assertThat(r.timeline()).hasSize(Run.MAX_TIMELINE);
    assertThat(r.timeline().get(0))
        .isEqualTo(new TimelineEntry(at(0), "started", "w1", "processing began on w1", null));
    assertThat(r.timeline().get(Run.MAX_TIMELINE - 1).time()).isEqualTo(at(40));
    assertThat(r.timeline().get(1).time()).isEqualTo(at(40 - (Run.MAX_TIMELINE - 2)));
  }

  @Test
  void theTimelineIsCopiedAndBoundedOnConstruction() {
    List<TimelineEntry> t = new ArrayList<>();
    for (int i = 0; i < Run.MAX_TIMELINE + 3; i++) {
      t.add(new TimelineEntry(at(i), "started", "w1", "n" + i, null));
    }
    Run r = new Run(RunState.RUNNING, "w1", 1, at(0), null, null, null, false, t);
    t.clear();
    assertThat(r.timeline()).hasSize(Run.MAX_TIMELINE);
    assertThat(r.timeline()).extracting(TimelineEntry::message)
        .startsWith("n0", "n4").endsWith("n" + (Run.MAX_TIMELINE + 2));
    assertThat(new Run(RunState.RELEASED, "w1", 1, null, null, null, null, false, null).timeline())
        .isEmpty();
  }

  @Test
  void aRunNeedsAStateAndANonNegativeAttempt() {
    assertThatThrownBy(() -> new Run(null, "w1", 1, null, null, null, null, false, List.of()))
        .isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> new Run(RunState.RUNNING, "w1", -1, null, null, null, null, false,
        List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Run.claim(null, null, 1, at(0))).isInstanceOf(NullPointerException.class);
  }

  @Test
  void aCancelEndsAnOpenRunAndNeverAnEndedOne() {
    java.time.Instant at = java.time.Instant.parse("2026-01-01T00:00:00Z");
    Run never = Run.cancelled(null, "alice", at);
    assertThat(never.state()).isEqualTo(RunState.CANCELLED);
    assertThat(never.state().terminal()).isTrue();
    assertThat(never.timeline()).singleElement().satisfies(e -> assertThat(e.message())
        .isEqualTo("cancelled before it started (requested by alice)"));
    Run running = Run.claim(null, "w1", 2, at);
    Run stopped = Run.cancelled(running, "alice", at.plusSeconds(1));
    assertThat(stopped.worker()).isEqualTo("w1");
    assertThat(stopped.attempt()).isEqualTo(2);
    assertThat(stopped.started()).isEqualTo(at);
    assertThat(stopped.ended()).isEqualTo(at.plusSeconds(1));
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> Run.cancelled(running.finish(RunState.COMPLETED, "{}", null, false, at), "a", at))
        .isInstanceOf(IllegalStateException.class);
  }
}
