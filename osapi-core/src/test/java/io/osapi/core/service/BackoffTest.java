package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {
  @Test
  void doublesUpToTheCapWithJitterInTheUpperHalf() {
    Backoff b = new Backoff(Duration.ofMillis(50), Duration.ofSeconds(1));
    assertThat(b.nominal(0)).isEqualTo(Duration.ofMillis(50));
    assertThat(b.nominal(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(b.nominal(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(b.nominal(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(b.nominal(1000)).isEqualTo(Duration.ofSeconds(1));
    for (int n = 0; n < 70; n++) {
      Duration d = b.delay(n);
      assertThat(d).isBetween(b.nominal(n).dividedBy(2), b.nominal(n));
    }
  }

  @Test
  void refusesNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> Backoff.CREATE.nominal(-1))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
