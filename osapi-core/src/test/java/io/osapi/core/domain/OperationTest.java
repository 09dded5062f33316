package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The operation type's form and the data's JSON, checked without a regular expression or a tree. */
class OperationTest {
  /** The form the type had as a regular expression, kept here as the reference. */
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

  @Test
  void typesAreCheckedAsTheirPatternSays() {
    String[] types = {"system.hostname.get", "diag.echo", "a.b", "a1_.b_2.c3", "a", "a.", ".a",
        "a..b", "A.b", "a.B", "1a.b", "a.1b", "a._b", "_a.b", "a-b.c", "a.b ", " a.b", "a.b.",
        "é.b", "a.b\n", "a.bé", "ab.cd.ef.gh"};
    for (String t : types) {
      boolean valid = TYPE.matcher(t).matches();
      if (valid) {
        assertThat(Operation.requireType(t)).as(t).isEqualTo(t);
      } else {
        assertThatThrownBy(() -> Operation.requireType(t)).as(t)
            .isInstanceOf(InvalidInputException.class).hasMessageContaining("is not valid");
      }
    }
    assertThatThrownBy(() -> Operation.requireType("a." + "b".repeat(127)))
        .hasMessageContaining("is not valid");
    assertThatThrownBy(() -> Operation.requireType(""))
        .hasMessageContaining("operation.type is required");
  }

  @Test
  void dataMustBeOneJsonValue() {
    assertThat(new Operation("diag.echo", "{\"n\":[1,{\"b\":null}]}").data())
        .isEqualTo("{\"n\":[1,{\"b\":null}]}");
    assertThat(new Operation("diag.echo", "  ").data()).isEqualTo("{}");
    for (String bad : new String[] {"{", "{} x", "\"\\ud800\"", "1e9999999999"}) {
      assertThatThrownBy(() -> new Operation("diag.echo", bad)).as(bad)
          .isInstanceOf(InvalidInputException.class)
          .hasMessageStartingWith("operation.data is not valid");
    }
  }
}
