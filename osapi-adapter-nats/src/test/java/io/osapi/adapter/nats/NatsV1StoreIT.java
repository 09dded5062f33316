package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueConfiguration;
import io.osapi.core.contract.Fixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A bucket written by an osapi before the v2 store is refused at start, saying how to remove it. */
class NatsV1StoreIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @Test
  void aV1StoreIsRefusedWithHowToRemoveIt() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    try (Connection c = Nats.connect(server.url())) {
      c.keyValueManagement().create(
          KeyValueConfiguration.builder().name(NatsLayout.JOBS_BUCKET).build());
      c.keyValue(NatsLayout.JOBS_BUCKET)
          .put("status.x.started.w1.1", "{}".getBytes(StandardCharsets.UTF_8));
    }
    long t0 = System.nanoTime();
    NatsBackend b = closer.later(NatsBackend.connect(
        NatsTestSupport.settings(server).startupWait(Duration.ofSeconds(15)).build()));
    assertThat(b.isReady()).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("gives up at once, no waiting for the startup wait").isLessThan(Duration.ofSeconds(10));
    assertThat(b.lastError()).hasValueSatisfying(e -> assertThat(e)
        .contains("bucket osapi-jobs holds a job store written by an earlier osapi")
        .contains("nats kv del osapi-jobs")
        .contains("KV_osapi-jobs"));
  }

  @Test
  void aV2StoreIsAccepted() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    NatsBackend first = NatsTestSupport.backend(server);
    first.store().create(NatsJobStoreV2IT.any()).get();
    first.close();
    NatsBackend again = closer.later(NatsTestSupport.backend(server));
    assertThat(Fixtures.statuses(again.store())).hasSize(1);
  }
}
