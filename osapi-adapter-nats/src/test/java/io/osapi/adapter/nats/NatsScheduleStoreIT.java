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
  void aListMakesNoConsumerOnTheBucket() throws Exception {
    ScheduleStore store = newStore();
    store.create(schedule("a"));
    NatsSession s = NATS.backend().requireSession();
    String stream = NatsLayout.SCHEDULES_KV_STREAM;
    int before = s.jsm.getConsumerNames(stream).size();
    for (int i = 0; i < 5; i++) {
      assertThat(store.list()).hasSize(1);
    }
    store.create(schedule("b")); // a list that reads the bucket again makes none either
    assertThat(store.list()).hasSize(2);
    assertThat(s.jsm.getConsumerNames(stream)).hasSize(before);
    // the control: jnats' keys(), which lists used to call, leaves a consumer standing
    assertThat(s.conn.keyValue(NatsLayout.SCHEDULES_BUCKET).keys()).hasSize(2);
    assertThat(s.jsm.getConsumerNames(stream).size()).isGreaterThan(before);
  }

  @Test
  void aListSeesEveryChangeOfAnotherControllerAtOnce() {
    ScheduleStore mine = newStore();
    ScheduleStore other = NatsSchedules.store(NATS.backend());
    other.create(schedule("a"));
    assertThat(names(mine)).containsExactly("a");
    long revision = mine.list().get(0).revision();
    assertThat(mine.list().get(0).revision()).isEqualTo(revision); // read again unchanged

    long paused = other.update(schedule("a").withPaused(true, java.time.Instant.EPOCH), revision);
    assertThat(mine.list().get(0).revision()).isEqualTo(paused);
    assertThat(mine.list().get(0).value().paused()).isTrue();
    other.create(schedule("b"));
    assertThat(names(mine)).containsExactly("a", "b");
    other.delete("a");
    assertThat(names(mine)).containsExactly("b");
    NATS.purge(NatsLayout.SCHEDULES_KV_STREAM);
    assertThat(mine.list()).isEmpty();
  }

  private static List<String> names(ScheduleStore store) {
    return store.list().stream().map(v -> v.value().name()).toList();
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
