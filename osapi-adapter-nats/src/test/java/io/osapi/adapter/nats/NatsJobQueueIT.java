package io.osapi.adapter.nats;

import io.osapi.core.contract.JobQueueContract;
import io.osapi.core.port.JobQueue;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The core's {@link JobQueueContract} on stream {@code JOBS}: every test starts with no messages
 * and no consumers but the shared ones.
 */
class NatsJobQueueIT extends JobQueueContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected JobQueue newQueue() {
    NATS.resetQueue();
    return NATS.backend().queue();
  }
}
