package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Settings validation and the secret-free {@code toString}. */
class NatsSettingsTest {
  @Test
  void defaults() {
    NatsSettings s = NatsSettings.builder().build();
    assertThat(s.servers()).containsExactly("nats://127.0.0.1:4222");
    assertThat(s.maxReconnects()).isEqualTo(-1);
    assertThat(s.storage()).isEqualTo(NatsSettings.Storage.FILE);
    assertThat(s.workersTtl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.streamReplicas()).isEqualTo(1);
    assertThat(s.insecureDevTls()).isFalse();
    assertThat(s.tls()).isFalse();
  }

  @Test
  void toStringNeverShowsSecrets() {
    NatsSettings pw =
        NatsSettings.builder()
            .servers(List.of("nats://bob:url-secret@a:4222", "tls://b:4222"))
            .userPassword("alice", "pw-secret")
            .trustStore(Path.of("/etc/osapi/ca.p12"), "store-secret")
            .build();
    assertThat(pw.toString())
        .doesNotContain("pw-secret", "url-secret", "store-secret")
        .contains("user alice", "nats://***@a:4222", "trust store /etc/osapi/ca.p12");
    NatsSettings token = NatsSettings.builder().token("tok-secret").build();
    assertThat(token.toString()).doesNotContain("tok-secret").contains("auth=token");
  }

  @Test
  void refusesContradictions() {
    assertThatThrownBy(() -> NatsSettings.builder().userPassword("a", "b").token("t").build())
        .hasMessageContaining("only one");
    assertThatThrownBy(() -> NatsSettings.builder().servers(List.of()).build())
        .hasMessageContaining("at least one");
    assertThatThrownBy(
            () ->
                NatsSettings.builder()
                    .trustStore(Path.of("x.p12"), "p")
                    .insecureDevTls(true)
                    .build())
        .hasMessageContaining("exclude");
    assertThatThrownBy(() -> NatsSettings.builder().replicas(7).build())
        .hasMessageContaining("replicas");
    assertThatThrownBy(
            () ->
                NatsSettings.builder()
                    .streamMaxAge(Duration.ofMinutes(1))
                    .duplicateWindow(Duration.ofMinutes(2))
                    .build())
        .hasMessageContaining("duplicate-window");
  }
}
