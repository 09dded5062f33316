package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.JobStoreContract;
import io.osapi.core.port.JobStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's {@link JobStoreContract} on bucket {@code osapi-jobs} of a real server. */
class NatsJobStoreIT extends JobStoreContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected JobStore newStore() {
    NATS.purge(NatsLayout.JOBS_KV_STREAM);
    return NATS.backend().store();
  }

  /** The contract's reads here are direct gets of NatsJobReads' own (one replica). */
  @Test
  void readsHereAreDirectGets() {
    assertThat(NATS.backend().jobBucket().directGets()).isTrue();
  }

  private final List<AutoCloseable> extra = new ArrayList<>();

  /** A server of its own: the bucket's max age is set when it is made. */
  @Override
  protected JobStore newStoreWithRetention(Duration retention) {
    NatsServerProcess server = NatsServerProcess.start();
    extra.add(server);
    NatsBackend b = NatsTestSupport.backend(
        NatsTestSupport.settings(server).jobsTtl(retention).build());
    extra.add(0, b);
    return b.store();
  }

  @AfterEach
  void closeExtra() throws Exception {
    for (AutoCloseable c : extra) {
      c.close();
    }
    extra.clear();
  }
}
