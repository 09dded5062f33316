package io.osapi.core.concurrent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void growsByTheMultiplierUpToTheCap() {
    Backoff b = new Backoff(Duration.ofMillis(100), Duration.ofMillis(1000), 2, 0);
    assertThat(b.delayMillis(0)).isEqualTo(100);
    assertThat(b.delayMillis(1)).isEqualTo(200);
    assertThat(b.delayMillis(3)).isEqualTo(800);
    assertThat(b.delayMillis(4)).isEqualTo(1000);
    assertThat(b.delayMillis(1_000)).isEqualTo(1000);
    assertThat(b.delayMillis(-1)).isEqualTo(100);
  }

  @Test
  void jitterOnlyShortensAWaitAndByAtMostItsShare() {
    Backoff b = new Backoff(Duration.ofMillis(1000), Duration.ofMillis(1000), 2, 0.25);
    boolean varied = false;
    long first = b.delayMillis(0);
    for (int i = 0; i < 200; i++) {
      long d = b.delayMillis(0);
      assertThat(d).isBetween(750L, 1000L);
      varied |= d != first;
    }
    assertThat(varied).isTrue();
  }

  @Test
  void aHeldCreateWaitsFromHalfToAllOfItsDoublingDelay() {
    for (int n = 0; n < 8; n++) {
      long nominal = Math.min(1000, 50L << n);
      for (int i = 0; i < 50; i++) {
        assertThat(Backoff.CREATE.delayMillis(n)).isBetween(nominal / 2, nominal);
      }
    }
  }

  @Test
  void fixedWaitsTheSameEveryTime() {
    Backoff b = Backoff.fixed(Duration.ofSeconds(1));
    assertThat(b.delayMillis(0)).isEqualTo(1000);
    assertThat(b.delayMillis(9)).isEqualTo(1000);
  }

  @Test
  void refusesFiguresOutOfRange() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1), 2, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0.5, 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 1.5))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
