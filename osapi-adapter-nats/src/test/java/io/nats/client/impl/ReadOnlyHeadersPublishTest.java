package io.nats.client.impl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * What osapi's {@code WireHeaders} rely on in jnats (this test sits in jnats' package to see its
 * message class): a message made for publishing keeps headers that say they are read-only as they
 * are, and copies any others. Should a jnats upgrade change that, writes still go out the same,
 * only with the copy again; this test says so.
 */
class ReadOnlyHeadersPublishTest {

  @Test
  void headersThatSayTheyAreReadOnlyArePublishedWithoutACopy() {
    byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
    Headers readOnly = new Headers() {
      @Override
      public boolean isReadOnly() {
        return true;
      }
    };
    readOnly.put("A", "1"); // the field behind put is jnats' own: still writable here
    Headers plain = new Headers().put("A", "1");

    NatsPublishableMessage kept = new NatsPublishableMessage("s", null, readOnly, body, false);
    NatsPublishableMessage copied = new NatsPublishableMessage("s", null, plain, body, false);

    assertThat(kept.getHeaders()).isSameAs(readOnly);
    assertThat(copied.getHeaders()).isNotSameAs(plain).isNotNull(); // the positive control
    assertThat(copied.getHeaders().getFirst("A")).isEqualTo("1");
  }
}
