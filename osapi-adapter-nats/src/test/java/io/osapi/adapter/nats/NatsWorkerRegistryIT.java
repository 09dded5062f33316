package io.osapi.adapter.nats;

import io.osapi.core.contract.WorkerRegistryContract;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.WorkerRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The core's {@link WorkerRegistryContract} on bucket {@code osapi-workers} (TTL 30 s). */
class NatsWorkerRegistryIT extends WorkerRegistryContract {
  private static NatsServerProcess server;
  private static NatsBackend backend;

  @BeforeAll
  static void startServer() {
    server = NatsServerProcess.start();
    backend = NatsTestSupport.backend(server, JobMetrics.noop());
  }

  @AfterAll
  static void stopServer() {
    if (backend != null) {
      backend.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Override
  protected WorkerRegistry newRegistry() {
    try {
      NatsTestSupport.purge(backend, NatsLayout.WORKERS_KV_STREAM);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return backend.workerRegistry();
  }
}
