package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link WorkerRegistry} must do. */
public abstract class WorkerRegistryContract {
  /** The registry under test, new for each test. */
  protected WorkerRegistry registry;

  /** A new, empty registry with a TTL of at least 10 seconds. */
  protected abstract WorkerRegistry newRegistry();

  @BeforeEach
  void setUpRegistry() {
    registry = newRegistry();
  }

  private static WorkerInfo info(String id, int active) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new WorkerInfo(id, Map.of("group", "web.dev"), now.minusSeconds(5), now, active, 4);
  }

  @Test
  void heartbeatRegistersAndRefreshes() {
    registry.heartbeat(info("w1", 0));
    registry.heartbeat(info("web02.example.com", 1));
    WorkerInfo later = info("w1", 3);
    registry.heartbeat(later);
    assertThat(registry.workers()).extracting(WorkerInfo::id)
        .containsExactlyInAnyOrder("w1", "web02.example.com");
    assertThat(registry.workers()).filteredOn(w -> w.id().equals("w1")).containsExactly(later);
  }

  @Test
  void deregisterRemoves() {
    registry.heartbeat(info("w1", 0));
    registry.heartbeat(info("w2", 0));
    registry.deregister("w1");
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("w2");
    registry.deregister("never-there");
  }

  @Test
  void aWorkersStateIsKeptInItsEntry() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    WorkerInfo cordoned = new WorkerInfo("w1", Map.of(), now, now, 0, 2, SchedulingState.CORDONED);
    registry.heartbeat(cordoned);
    assertThat(registry.workers()).containsExactly(cordoned);
  }

  @Test
  void drainRequestsOutliveHeartbeatsUntilWithdrawn() {
    String id = "drain-" + UUID.randomUUID().toString().substring(0, 8) + ".example.com";
    assertThat(registry.drainRequested(id)).isFalse();
    assertThat(registry.requestDrain(id)).isTrue();
    assertThat(registry.requestDrain(id)).as("already requested").isFalse();
    assertThat(registry.drainRequested(id)).isTrue();
    assertThat(registry.drainRequests()).contains(id);
    registry.heartbeat(info(id, 0));
    registry.deregister(id); // a clean stop keeps the request
    assertThat(registry.drainRequested(id)).isTrue();
    assertThat(registry.cancelDrain(id)).isTrue();
    assertThat(registry.cancelDrain(id)).as("already withdrawn").isFalse();
    assertThat(registry.drainRequested(id)).isFalse();
    assertThat(registry.drainRequests()).doesNotContain(id);
    assertThat(registry.requestDrain(id)).as("requested again").isTrue();
    assertThat(registry.drainRequested(id)).isTrue();
    registry.cancelDrain(id);
  }

  @Test
  void aWorkersPublicKeyIsKeptInItsEntry() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String key = io.osapi.core.service.WorkerKey.generate().publicKey();
    WorkerInfo w = new WorkerInfo("w1", Map.of(), now, now, 0, 2, SchedulingState.READY, key);
    registry.heartbeat(w);
    assertThat(registry.workers()).containsExactly(w);
  }

  @Test
  void keyDecisionsAreKeptPerWorkerAndReplaced() {
    String id = "keys-" + UUID.randomUUID().toString().substring(0, 8);
    String other = id + "-other";
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String k1 = io.osapi.core.service.WorkerKey.generate().publicKey();
    String k2 = io.osapi.core.service.WorkerKey.generate().publicKey();
    assertThat(registry.keyDecision(id)).isEmpty();
    KeyDecision accepted = new KeyDecision(id, k1, KeyState.ACCEPTED, now);
    registry.decideKey(accepted);
    registry.decideKey(new KeyDecision(other, k2, KeyState.REJECTED, now));
    assertThat(registry.keyDecision(id)).contains(accepted);
    KeyDecision rejected = new KeyDecision(id, k2, KeyState.REJECTED, now.plusSeconds(1));
    registry.decideKey(rejected);
    assertThat(registry.keyDecision(id)).contains(rejected);
    assertThat(registry.keyDecisions()).containsEntry(id, rejected)
        .containsEntry(other, new KeyDecision(other, k2, KeyState.REJECTED, now));
    registry.heartbeat(info(id, 0));
    registry.deregister(id); // a clean stop keeps the decision
    assertThat(registry.keyDecision(id)).contains(rejected);
  }
}
