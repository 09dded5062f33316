package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.impl.Headers;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WireHeadersTest {

  @Test
  void sealedHeadersAreReadOnlyAndSerializeAsPlainOnes() {
    WireHeaders sealed = new WireHeaders().put("Osapi-State", "running").put("A", "1").seal();
    Headers plain = new Headers().put("Osapi-State", "running").put("A", "1");
    assertThat(sealed.isReadOnly()).isTrue();
    assertThat(plain.isReadOnly()).isFalse();
    assertThat(sealed.getSerialized()).isEqualTo(plain.getSerialized());
    assertThat(sealed.serializedLength()).isEqualTo(plain.serializedLength());
  }

  @Test
  void fillingWorksUntilSealedThenEveryChangeIsRefused() {
    WireHeaders h = new WireHeaders();
    assertThat(h.isReadOnly()).isFalse();
    h.put("A", "1");
    h.put("B", List.of("2"));
    h.put(Map.of("C", List.of("3")));
    h.add("D", "4");
    h.add("E", List.of("5"));
    h.remove("E");
    h.remove(List.of("D"));
    assertThat(h.keySet()).containsExactlyInAnyOrder("A", "B", "C");

    h.seal();
    assertThat(h.isReadOnly()).isTrue();
    assertThatThrownBy(() -> h.put("A", "9")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.put("A", List.of("9")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.put(Map.of("A", List.of("9"))))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.add("A", "9")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.add("A", List.of("9")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.remove("A")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> h.remove(List.of("A")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(h::clear).isInstanceOf(UnsupportedOperationException.class);
    assertThat(h.getFirst("A")).isEqualTo("1");

    // a copy to change them
    Headers copy = new Headers(h).put("A", "9");
    assertThat(copy.getFirst("A")).isEqualTo("9");
    assertThat(h.getFirst("A")).isEqualTo("1");
  }
}
