package io.osapi.adapter.nats;

import io.osapi.core.contract.JobStoreContract;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The core's {@link JobStoreContract} on bucket {@code osapi-jobs} of a real server. */
class NatsJobStoreIT extends JobStoreContract {
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
  protected JobStore newStore() {
    try {
      NatsTestSupport.purge(backend, NatsLayout.JOBS_KV_STREAM);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return backend.jobStore();
  }
}
