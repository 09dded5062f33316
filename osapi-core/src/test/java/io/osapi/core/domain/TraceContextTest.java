package io.osapi.core.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceContextTest {
  private static final String P = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void readsItsParts() {
    TraceContext c = new TraceContext(P, "congo=t61rcWkgMzE");
    assertThat(c.traceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
    assertThat(c.spanId()).isEqualTo("b7ad6b7169203331");
    assertThat(c.sampled()).isTrue();
    assertThat(TraceContext.of(c.traceId(), c.spanId(), false, null).sampled()).isFalse();
    assertThat(new TraceContext(P, "").tracestate()).isNull();
  }

  @Test
  void refusesWhatIsNotATraceparent() {
    for (String bad : new String[] {"", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "00-0AF7651916CD43DD8448EB211C80319C-b7ad6b7169203331-01",
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01\nx: y",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333-01"}) {
      assertThatThrownBy(() -> new TraceContext(bad, null))
          .isInstanceOf(IllegalArgumentException.class);
      assertThat(TraceContext.parse(bad, null)).isNull();
    }
    assertThatThrownBy(() -> new TraceContext(P, "a=b\r\nx"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TraceContext(P, "a".repeat(513)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseIgnoresABadIncomingContextAndDropsABadTracestateAlone() {
    assertThat(TraceContext.parse(null, "a=b")).isNull();
    assertThat(TraceContext.parse(" " + P + " ", "a=b")).isEqualTo(new TraceContext(P, "a=b"));
    assertThat(TraceContext.parse(P, "a=\u0001")).isEqualTo(new TraceContext(P, null));
  }
}
