package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class OperationPolicyTest {
  @Test
  void theDefaultAllowsEveryOperationThatIsNotPrivileged() {
    OperationPolicy p = OperationPolicy.defaults();
    assertThat(p.allows("system.hostname.get", false)).isTrue();
    assertThat(p.allows("acme.thing", false)).isTrue();
    assertThat(p.allows("command.exec", true)).isFalse();
    assertThat(p.globs()).isNull();
    assertThat(OperationPolicy.announced(null)).isEqualTo(p);
  }

  @Test
  void globsAllowWhatTheyMatchPrivilegedOrNot() {
    OperationPolicy p = OperationPolicy.parse(" system.* , diag.*,command.exec");
    assertThat(p.globs()).containsExactly("system.*", "diag.*", "command.exec");
    assertThat(p.allows("system.hostname.get", false)).isTrue();
    assertThat(p.allows("diag.echo", false)).isTrue();
    assertThat(p.allows("command.exec", true)).isTrue();
    assertThat(p.allows("shell.exec", true)).isFalse();
    assertThat(p.allows("command.execute", true)).as("literal, not a prefix").isFalse();
    assertThat(p.allows("systemx.a", false)).isFalse();
    assertThat(OperationPolicy.parse("*").allows("file.deploy", true)).isTrue();
    assertThat(OperationPolicy.parse("file.*").allows("file.deploy", true)).isTrue();
    assertThat(OperationPolicy.parse("*.get").allows("file.get", true)).isTrue();
    assertThat(OperationPolicy.announced(p.globs())).isEqualTo(p);
  }

  @Test
  void badListsAreRefusedWithTheOption() {
    assertThatThrownBy(() -> OperationPolicy.parse("")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no operation named");
    assertThatThrownBy(() -> OperationPolicy.parse("system.*,,diag.*"))
        .hasMessageContaining("'' is not an operation glob");
    assertThatThrownBy(() -> OperationPolicy.parse("System.*"))
        .hasMessageContaining("'System.*' is not an operation glob");
    assertThatThrownBy(() -> OperationPolicy.parse("a(b)"))
        .hasMessageContaining("is not an operation glob");
    assertThatThrownBy(() -> OperationPolicy.of(Collections.nCopies(65, "x").stream()
        .map(x -> x + Math.random()).map(s -> s.replace("0.", "a")).toList()))
        .isInstanceOf(InvalidInputException.class);
  }

  @Test
  void anAnnouncedListThatIsNotValidAllowsNothing() {
    OperationPolicy p = OperationPolicy.announced(List.of("BAD GLOB"));
    assertThat(p.allows("system.hostname.get", false)).isFalse();
    assertThat(p.allows("command.exec", true)).isFalse();
  }
}
