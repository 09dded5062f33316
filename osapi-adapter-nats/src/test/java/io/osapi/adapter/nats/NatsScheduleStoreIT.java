package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.osapi.core.contract.ScheduleStoreContract;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.schedule.ScheduleStore;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's {@link ScheduleStoreContract} on bucket {@code osapi-schedules} of a real server, the
 * bucket's settings, and a store whose server cannot be reached.
 */
class NatsScheduleStoreIT extends ScheduleStoreContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected ScheduleStore newStore() {
    NATS.purge("KV_" + NatsLayout.SCHEDULES_BUCKET);
    return NatsSchedules.store(NATS.backend());
  }

  @Test
  void theBucketKeepsOneValuePerKeyForEverWithinItsBound() throws Exception {
    StreamConfiguration c = NATS.backend().requireSession().jsm
        .getStreamInfo("KV_" + NatsLayout.SCHEDULES_BUCKET).getConfiguration();
    assertThat(c.getMaxMsgsPerSubject()).isEqualTo(1);
    assertThat(c.getMaxAge()).isEqualTo(Duration.ZERO);
    assertThat(c.getMaxBytes()).isEqualTo(
        NatsLimits.share(NATS.backend().settings(), NatsLimits.SCHEDULES_PERCENT));
    assertThat(c.getMaxMsgs()).isEqualTo(2L * io.osapi.core.schedule.ScheduleStore.MAX_SCHEDULES);
    assertThat(NatsScheduleStore.bucket(NATS.backend().settings(), StorageType.File)
        .getSubjects()).containsExactly("$KV." + NatsLayout.SCHEDULES_BUCKET + ".>");
  }

  @Test
  void aStoreWhoseServerIsGoneSaysUnavailable() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (NatsBackend b = NatsBackend.connect(NatsTestSupport.settings(List.of("nats://127.0.0.1:"
        + port)).startupWait(Duration.ZERO).build())) {
      ScheduleStore s = NatsSchedules.store(b);
      assertThatThrownBy(s::list).isInstanceOf(BackendUnavailableException.class);
      assertThatThrownBy(() -> s.get("a")).isInstanceOf(BackendUnavailableException.class);
      assertThatThrownBy(() -> s.create(schedule("a")))
          .isInstanceOf(BackendUnavailableException.class);
    }
  }
}
