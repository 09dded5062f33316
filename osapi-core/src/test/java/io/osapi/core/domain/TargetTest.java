package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void parsesEveryForm() {
    assertThat(Target.parse(null)).isEqualTo(Target.Any.INSTANCE);
    assertThat(Target.parse("")).isEqualTo(Target.Any.INSTANCE);
    assertThat(Target.parse("_any")).isEqualTo(Target.Any.INSTANCE);
    assertThat(Target.parse("_all")).isEqualTo(Target.All.INSTANCE);
    assertThat(Target.parse("web01.example.com")).isEqualTo(new Target.Host("web01.example.com"));
    assertThat(Target.parse("host:web01")).isEqualTo(new Target.Host("web01"));
    assertThat(Target.parse("group:web.dev")).isEqualTo(new Target.Label("group", "web.dev"));
  }

  @Test
  void aWorkerIsReachedByAllItsIdAndEveryPrefixOfItsLabels() {
    ConsumerSpec spec = new ConsumerSpec("web01", Map.of("group", "web.dev"),
        java.time.Duration.ofSeconds(30), 5);
    assertThat(spec.ownTargets()).containsExactly(Target.All.INSTANCE, new Target.Host("web01"),
        new Target.Label("group", "web"), new Target.Label("group", "web.dev"));
  }

  @Test
  void labelsMatchAtDotBoundariesOnly() {
    Target.Label l = new Target.Label("group", "web");
    assertThat(l.matches("web")).isTrue();
    assertThat(l.matches("web.dev")).isTrue();
    assertThat(l.matches("webby")).isFalse();
    assertThat(l.matches(null)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "*", ">", "group:", ":x", "héllo", "web01\n", "group:web..dev",
      "group:*", "Group:web", "x:y:z", "-leading", "a/b"})
  void rejectsHostileTargetsWithAClearMessage(String bad) {
    assertThatThrownBy(() -> Target.parse(bad))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("target")
        .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("target"));
  }

  @Test
  void rejectsOverlongIds() {
    String id300 = "a".repeat(300);
    assertThatThrownBy(() -> Target.parse(id300))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("longer than 200");
    assertThatThrownBy(() -> Target.parse("a".repeat(65)))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("not a valid worker id");
  }
}
