package io.osapi.core.memory;

import io.osapi.core.contract.JobQueueContract;
import io.osapi.core.port.JobQueue;
import java.time.Clock;

class InMemoryJobQueueTest extends JobQueueContract {
  @Override
  protected JobQueue newQueue() {
    return new InMemoryJobQueue(Clock.systemUTC());
  }
}
