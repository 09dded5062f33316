package io.osapi.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  /** The escape of one character at a time, as {@link Json#quote} wrote before its fast path. */
  private static String quotedOneByOne(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> sb.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return sb.append('"').toString();
  }

  @Test
  void quotingWritesWhatTheOneByOneEscapeWroteAndParsesBack() {
    java.util.Random r = new java.util.Random(42);
    String[] alphabet = {"a", "Z", "0", " ", "\"", "\\", "\n", "\r", "\t", "\b", "\f", "\u0000",
        "\u001f", "\u007f", "é", "\u2028", "\ud83d\ude00", "/"};
    for (int i = 0; i < 20_000; i++) {
      StringBuilder s = new StringBuilder();
      int n = r.nextInt(12);
      boolean plainFirst = r.nextBoolean();
      for (int j = 0; j < n; j++) {
        s.append(plainFirst && j < n / 2 ? "p" : alphabet[r.nextInt(alphabet.length)]);
      }
      StringBuilder out = new StringBuilder();
      Json.quote(out, s.toString());
      assertThat(out.toString()).isEqualTo(quotedOneByOne(s.toString()));
      assertThat(Json.parse(out.toString())).isEqualTo(s.toString());
    }
  }

  @Test
  void roundTrips() {
    String text = "{\"a\":[1,2.5,\"x\\n\\u00e9\",true,null],\"b\":{}}";
    Object v = Json.parse(text);
    @SuppressWarnings("unchecked")
    Map<String, Object> m = (Map<String, Object>) v;
    List<Object> a = (List<Object>) m.get("a");
    assertThat(a).containsExactly(1L, new java.math.BigDecimal("2.5"), "x\né", true, null);
    assertThat(m.get("b")).isEqualTo(Map.of());
    assertThat(Json.parse(Json.write(v))).isEqualTo(v);
  }

  @Test
  void refusesBrokenJsonWithAPosition() {
    for (String bad : new String[] {"{", "{\"a\":}", "[1,]", "nul", "\"abc", "{} x", "01x", ""}) {
      assertThatThrownBy(() -> Json.parse(bad)).isInstanceOf(Json.MalformedJsonException.class)
          .hasMessageContaining("invalid JSON");
    }
  }

  @Test
  void refusesDeepNesting() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> Json.parse(deep)).hasMessageContaining("nested deeper");
  }

  @Test
  void refusesLoneSurrogatesAndKeepsPairs() {
    for (String bad : new String[] {"\"\\ud800\"", "\"\\udc00\"", "\"a\\ud800b\"",
        "{\"\\ud800\":1}", "\"\\udc00\\ud800\"", "\"\ud800\""}) {
      assertThatThrownBy(() -> Json.parse(bad)).as(bad)
          .isInstanceOf(Json.MalformedJsonException.class)
          .hasMessageContaining("lone surrogate");
    }
    assertThat(Json.parse("\"\\ud83d\\ude00\"")).isEqualTo("\ud83d\ude00");
    assertThat(Json.parse("\"\ud83d\ude00\"")).isEqualTo("\ud83d\ude00");
  }

  @Test
  void refusesNumbersOutOfRangeAsMalformed() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1e9999999999}"))
        .isInstanceOf(Json.MalformedJsonException.class)
        .hasMessageContaining("number 1e9999999999 is out of range");
    assertThat(Json.parse("1e400")).isEqualTo(new java.math.BigDecimal("1e400"));
  }

  @Test
  void checkRefusesWhatParseRefusesWithTheSameMessageAndPassesTheRest() {
    String[] texts = {"{", "{\"a\":}", "[1,]", "nul", "\"abc", "{} x", "01x", "", "\"\\ud800\"",
        "{\"a\":1e9999999999}", "[".repeat(100) + "]".repeat(100), "-", "1.", "{\"a\" 1}",
        "{\"a\":[1,2.5,\"x\\n\\u00e9\",true,null],\"b\":{}}", "1e400", " 12 ", "-0.5e-3",
        "123456789012345678", "-12345678901234567890", "\"\\ud83d\\ude00\""};
    for (String t : texts) {
      String parsed;
      try {
        Json.parse(t);
        parsed = null;
      } catch (Json.MalformedJsonException e) {
        parsed = e.getMessage();
      }
      if (parsed == null) {
        Json.check(t); // does not throw
      } else {
        assertThatThrownBy(() -> Json.check(t)).as(t)
            .isInstanceOf(Json.MalformedJsonException.class).hasMessage(parsed);
      }
    }
  }
}
