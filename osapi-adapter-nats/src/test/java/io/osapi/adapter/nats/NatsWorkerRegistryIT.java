package io.osapi.adapter.nats;

import io.osapi.core.contract.WorkerRegistryContract;
import io.osapi.core.port.WorkerRegistry;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's {@link WorkerRegistryContract} on bucket {@code osapi-workers} (TTL 30 s). */
class NatsWorkerRegistryIT extends WorkerRegistryContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected WorkerRegistry newRegistry() {
    NATS.purge(NatsLayout.WORKERS_KV_STREAM);
    return NATS.backend().registry();
  }
}
