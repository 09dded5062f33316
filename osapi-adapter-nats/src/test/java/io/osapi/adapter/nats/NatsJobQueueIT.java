package io.osapi.adapter.nats;

import io.osapi.core.contract.JobQueueContract;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The core's {@link JobQueueContract} on stream {@code JOBS}: every test starts with no messages
 * and no consumers but the shared ones.
 */
class NatsJobQueueIT extends JobQueueContract {
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
  protected JobQueue newQueue() {
    try {
      NatsTestSupport.resetQueue(backend);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return backend.jobQueue();
  }
}
