package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.api.StreamConfiguration;
import io.osapi.core.contract.IdempotencyKeysContract;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.domain.JobId;
import io.osapi.core.port.IdempotencyKeys;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's {@link IdempotencyKeysContract} on bucket {@code osapi-idempotency} of a real server
 * (each test on a bucket made anew by a controller's backend with the test's window), the
 * bucket's settings, and keys whose server cannot be reached.
 */
class NatsIdempotencyKeysIT extends IdempotencyKeysContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  private static final String STREAM = "KV_" + NatsLayout.IDEMPOTENCY_BUCKET;

  private final List<NatsBackend> opened = new ArrayList<>();

  @Override
  protected IdempotencyKeys newStore(Duration window) {
    try {
      NATS.backend().requireSession().jsm.deleteStream(STREAM);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    NatsBackend b = NatsTestSupport.backend(NatsTestSupport.settings(NATS.server())
        .idempotencyWindow(window).build());
    opened.add(b);
    return NatsIdempotency.keys(b);
  }

  @AfterEach
  void closeBackends() {
    opened.forEach(NatsBackend::close);
  }

  @Test
  void theBucketKeepsOneValuePerKeyForTheWindowWithinItsBound() throws Exception {
    newStore(Duration.ofHours(6));
    StreamConfiguration c = NATS.backend().requireSession().jsm.getStreamInfo(STREAM)
        .getConfiguration();
    assertThat(c.getMaxMsgsPerSubject()).isEqualTo(1);
    assertThat(c.getMaxAge()).isEqualTo(Duration.ofHours(6));
    assertThat(c.getMaxBytes()).isEqualTo(
        NatsLimits.share(NATS.backend().settings(), NatsLimits.IDEMPOTENCY_PERCENT));
    assertThat(c.getSubjects()).containsExactly("$KV." + NatsLayout.IDEMPOTENCY_BUCKET + ".>");
  }

  @Test
  void keysWhoseServerIsGoneSayUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (NatsBackend b = NatsBackend.connect(NatsTestSupport.settings(List.of("nats://127.0.0.1:"
        + port)).startupWait(Duration.ZERO).build())) {
      IdempotencyKeys k = NatsIdempotency.keys(b);
      String name = "a".repeat(64);
      assertThatThrownBy(() -> k.get(name)).isInstanceOf(BackendUnavailableException.class);
      assertThatThrownBy(() -> k.create(name, IdempotencyRecord.reservation("b".repeat(64),
          JobId.parse("0193a0a0-0000-7000-8000-000000000001"), Instant.now())))
          .isInstanceOf(BackendUnavailableException.class);
    }
  }
}
