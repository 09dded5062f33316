package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DigitsTest {
  @Test
  void readsDigitsOnlyAndWhatFitsALong() {
    assertThat(Digits.parse("x2026y", 1, 5)).isEqualTo(2026);
    assertThat(Digits.parse("007", 0, 3)).isEqualTo(7);
    assertThat(Digits.parse("1764500000123456789", 0, 19)).isEqualTo(1764500000123456789L);
    assertThat(Digits.parse("9223372036854775807", 0, 19)).isEqualTo(Long.MAX_VALUE);
    assertThat(Digits.parse("9223372036854775808", 0, 19)).as("past a long").isEqualTo(-1);
    assertThat(Digits.parse("12345678901234567890", 0, 20)).isEqualTo(-1);
    assertThat(Digits.parse("12a", 0, 3)).isEqualTo(-1);
    assertThat(Digits.parse("-1", 0, 2)).isEqualTo(-1);
    assertThat(Digits.parse("abc", 1, 1)).as("empty").isEqualTo(-1);
  }
}
