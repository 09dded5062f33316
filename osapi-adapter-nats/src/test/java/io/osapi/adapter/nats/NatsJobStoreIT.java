package io.osapi.adapter.nats;

import io.osapi.core.contract.JobStoreContract;
import io.osapi.core.port.JobStore;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's {@link JobStoreContract} on bucket {@code osapi-jobs} of a real server. */
class NatsJobStoreIT extends JobStoreContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected JobStore newStore() {
    NATS.purge(NatsLayout.JOBS_KV_STREAM);
    return NATS.backend().jobStore();
  }
}
