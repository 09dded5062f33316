package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Worker ids are valid NATS subject tokens, dot-separated: every key built from one is valid. */
class NamesTest {
  @ParameterizedTest
  @ValueSource(strings = {"w3", "web01.example.com", "a.b", "a-b_c", "A9", "a._b", "a.-b", "9"})
  void acceptsIdsWhosePartsAreAllTokens(String id) {
    assertThat(Names.requireWorkerId("worker id", id)).isEqualTo(id);
    assertThat(RunKey.of(JobId.generate(java.time.Clock.systemUTC()), id).slot()).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(strings = {"w3.", "a..b", ".a", "a.", "a.b.", "-a", "_a", "a b", "a*", "a>", "a/b",
      "w\u00f6rker", "a\n", "a.*"})
  void refusesIdsThatWouldMakeAnInvalidSubject(String id) {
    assertThatThrownBy(() -> Names.requireWorkerId("worker id", id))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("is not a valid worker id")
        .hasMessageContaining("no trailing dot, no '..'");
    assertThatThrownBy(() -> RunKey.of(JobId.generate(java.time.Clock.systemUTC()), id))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Target.parse(id)).isInstanceOf(InvalidInputException.class);
  }

  @Test
  void lengthIsSixtyFourAtMost() {
    String max = "a".repeat(30) + "." + "b".repeat(33);
    assertThat(Names.requireWorkerId("worker id", max)).hasSize(64);
    assertThatThrownBy(() -> Names.requireWorkerId("worker id", max + "c"))
        .isInstanceOf(InvalidInputException.class);
    assertThatThrownBy(() -> Names.requireWorkerId("worker id", ""))
        .hasMessageContaining("must not be empty");
  }
}
