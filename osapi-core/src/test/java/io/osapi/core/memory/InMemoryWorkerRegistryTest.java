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
  void entriesExpireTheTtlAfterTheyWereReceived() {
    Instant t0 = Instant.parse("2026-12-05T10:00:00Z");
    java.util.concurrent.atomic.AtomicReference<Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(t0);
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    InMemoryWorkerRegistry r = new InMemoryWorkerRegistry(clock, Duration.ofSeconds(30));
    Instant old = t0.minusSeconds(600); // the worker's clock is 10 min behind
    r.heartbeat(new WorkerInfo("slow-clock", Map.of(), old, old, 0, 1));
    assertThat(r.workers()).extracting(WorkerInfo::id).containsExactly("slow-clock");
    now.set(t0.plusSeconds(31));
    assertThat(r.workers()).isEmpty();
  }
}
