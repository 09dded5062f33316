package io.osapi.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.WorkerRegistryContract;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InMemoryWorkerRegistryTest extends WorkerRegistryContract {
  @Override
  protected WorkerRegistry newRegistry() {
    return new InMemoryWorkerRegistry(Clock.systemUTC(), Duration.ofSeconds(30));
  }

  @Test
  void entriesExpireAfterTheTtl() {
    InMemoryWorkerRegistry r = new InMemoryWorkerRegistry(Clock.systemUTC(), Duration.ofSeconds(30));
    Instant old = Instant.now().minusSeconds(31);
    r.heartbeat(new WorkerInfo("stale", Map.of(), old, old, 0, 1));
    assertThat(r.workers()).isEmpty();
  }
}
