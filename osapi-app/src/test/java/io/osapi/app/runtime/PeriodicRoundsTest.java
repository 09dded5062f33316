package io.osapi.app.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The rounds of the scheduler, the rollouts and the submit reconciler. */
class PeriodicRoundsTest {
  private static final System.Logger LOG = System.getLogger(PeriodicRoundsTest.class.getName());
  private final AtomicBoolean connected = new AtomicBoolean(true);
  private final Backend backend = (Backend) Proxy.newProxyInstance(
      Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, (p, m, args) -> {
        if (m.getName().equals("connected")) {
          return connected.get();
        }
        throw new UnsupportedOperationException(m.getName());
      });

  private PeriodicRounds rounds(Runnable work) {
    return new PeriodicRounds(backend, work, Duration.ofMillis(10), "osapi-test-rounds",
        "testing", LOG) {
      @Override
      public String name() {
        return "test rounds";
      }

      @Override
      public java.util.List<String> describe() {
        return java.util.List.of("test rounds");
      }
    };
  }

  @Test
  void aRoundIsSkippedWhileTheBackendIsDownAndAFailingOneDoesNotThrow() {
    AtomicInteger runs = new AtomicInteger();
    PeriodicRounds r = rounds(() -> {
      if (runs.incrementAndGet() % 2 == 0) {
        throw new IllegalStateException("injected");
      }
    });
    connected.set(false);
    r.round();
    assertThat(runs.get()).isZero();
    connected.set(true);
    r.round();
    assertThat(runs.get()).isEqualTo(1);
    assertThatCode(r::round).doesNotThrowAnyException(); // the second fails
    assertThatCode(r::round).doesNotThrowAnyException();
    assertThat(runs.get()).isEqualTo(3);
  }

  @Test
  void roundsGoOnThroughFailuresUntilStopped() {
    AtomicInteger stoppedRuns = new AtomicInteger();
    PeriodicRounds stopped = rounds(() -> {
      stoppedRuns.incrementAndGet();
      throw new IllegalStateException("injected");
    });
    stopped.start();
    stopped.start(); // once
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stoppedRuns.get() >= 3);
    stopped.stop(Instant.now().plusSeconds(5));
    int atStop = stoppedRuns.get();
    // positive control: another one's rounds go on meanwhile
    AtomicInteger controlRuns = new AtomicInteger();
    PeriodicRounds control = rounds(controlRuns::incrementAndGet);
    control.start();
    try {
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> controlRuns.get() >= 5);
    } finally {
      control.stop(Instant.now().plusSeconds(5));
    }
    assertThat(stoppedRuns.get()).isEqualTo(atStop);
  }
}
