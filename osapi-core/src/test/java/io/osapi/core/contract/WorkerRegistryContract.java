package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.WorkerIdInUseException;
import io.osapi.core.domain.WorkerProcess;
import java.time.Duration;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
    assertThat(registry.workers()).filteredOn(w -> w.id().equals("w1"))
        .extracting(w -> w.observedAt(null)).containsExactly(later);
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
    assertThat(registry.workers()).extracting(w -> w.observedAt(null)).containsExactly(cordoned);
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

  private static WorkerInfo of(String id, WorkerProcess p) {
    return info(id, 0).writtenBy(p);
  }

  @Test
  void aSecondLiveProcessWithAnIdIsRefusedNamingTheFirst() {
    WorkerProcess first = WorkerProcess.current();
    registry.register(of("web.01", first));
    registry.register(of("web.01", first)); // the same start tried again
    WorkerProcess second = WorkerProcess.current();
    assertThatThrownBy(() -> registry.register(of("web.01", second)))
        .isInstanceOf(WorkerIdInUseException.class)
        .hasMessageContaining("worker id web.01 is in use")
        .hasMessageContaining("host " + first.host() + " pid " + first.pid())
        .hasMessageContaining("started ");
    assertThat(registry.workers()).extracting(w -> w.process().instance())
        .containsExactly(first.instance());
    registry.register(of("web_01", second)); // another id, though it sanitises alike
    registry.deregister("web.01");
    registry.register(of("web.01", second)); // a clean stop frees the id
  }

  @Test
  void anEntryOfAProcessGoneFromThisHostIsTakenOver() throws Exception {
    WorkerProcess me = WorkerProcess.current();
    Process p = new ProcessBuilder("true").start();
    p.waitFor();
    WorkerProcess crashed = new WorkerProcess(me.host(), p.pid(), "crashed");
    registry.register(of("w1", crashed));
    registry.register(of("w1", me));
    assertThat(registry.workers()).filteredOn(w -> w.id().equals("w1"))
        .extracting(w -> w.process().instance()).containsExactly(me.instance());
    // a container restarted in place: its old worker had this very pid, in another JVM
    WorkerProcess before = new WorkerProcess(me.host(), me.pid(), "before-the-restart");
    registry.deregister("w2");
    registry.register(of("w2", before));
    registry.register(of("w2", me));
    assertThat(registry.workers()).filteredOn(w -> w.id().equals("w2"))
        .extracting(w -> w.process().instance()).containsExactly(me.instance());
    WorkerProcess elsewhere = new WorkerProcess("other-host.example", p.pid(), "elsewhere");
    assertThatThrownBy(() -> registry.register(of("w1", elsewhere)))
        .as("a process on another host is never known to be gone")
        .isInstanceOf(WorkerIdInUseException.class);
  }

  @Test
  void idsThatSanitiseAlikeAreTwoWorkers() {
    registry.heartbeat(info("web.01", 1));
    registry.heartbeat(info("web_01", 2));
    registry.heartbeat(info("web-01", 3));
    assertThat(registry.workers()).extracting(WorkerInfo::id, WorkerInfo::activeJobs)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web-01", 3),
            org.assertj.core.groups.Tuple.tuple("web.01", 1),
            org.assertj.core.groups.Tuple.tuple("web_01", 2));
    assertThat(registry.requestDrain("web.01")).isTrue();
    assertThat(registry.drainRequested("web_01")).isFalse();
    assertThat(registry.requestDrain("web_01")).isTrue();
    registry.deregister("web_01");
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("web-01", "web.01");
    assertThat(registry.cancelDrain("web.01")).isTrue();
    assertThat(registry.drainRequested("web_01")).isTrue();
    registry.cancelDrain("web_01");
  }

  @Test
  void agesAndSkewAreFromTheRegistrysClockNotTheWorkers() {
    Instant now = Instant.now();
    Instant behind = now.minusSeconds(600);
    registry.heartbeat(new WorkerInfo("slow", Map.of(), behind, behind, 0, 1));
    Instant ahead = now.plusSeconds(600);
    registry.heartbeat(new WorkerInfo("fast", Map.of(), ahead, ahead, 0, 1));
    WorkerInfo slow = registry.workers().stream().filter(w -> w.id().equals("slow")).findFirst()
        .orElseThrow();
    WorkerInfo fast = registry.workers().stream().filter(w -> w.id().equals("fast")).findFirst()
        .orElseThrow();
    assertThat(slow.age(Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(slow.clockSkew()).isBetween(Duration.ofSeconds(-605), Duration.ofSeconds(-595));
    assertThat(fast.clockSkew()).isBetween(Duration.ofSeconds(595), Duration.ofSeconds(605));
    assertThat(fast.age(Instant.now().plusSeconds(20)))
        .as("a fast clock does not keep an entry fresh").isGreaterThan(Duration.ofSeconds(15));
  }

  @Test
  void aWorkersPublicKeyIsKeptInItsEntry() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String key = io.osapi.core.service.WorkerKey.generate().publicKey();
    WorkerInfo w = new WorkerInfo("w1", Map.of(), now, now, 0, 2, SchedulingState.READY, null,
        null, key);
    registry.heartbeat(w);
    assertThat(registry.workers()).singleElement()
        .satisfies(read -> assertThat(read.publicKey()).isEqualTo(key));
  }

  @Test
  void theJobsAWorkerRunsAreKeptInItsEntryAndAnEntryThatDoesNotTellStaysSo() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<JobId> running = List.of(JobId.generate(java.time.Clock.systemUTC()),
        JobId.generate(java.time.Clock.systemUTC()));
    registry.heartbeat(new WorkerInfo("w1", Map.of(), now, now, 2, 4, null, null, null, null,
        null, running));
    registry.heartbeat(new WorkerInfo("w2", Map.of(), now, now, 0, 4, null, null, null, null,
        null, List.of()));
    registry.heartbeat(new WorkerInfo("w3", Map.of(), now, now, 1, 4));
    Map<String, List<JobId>> read = new java.util.HashMap<>();
    registry.workers().forEach(w -> read.put(w.id(), w.running()));
    assertThat(read.get("w1")).isEqualTo(running);
    assertThat(read.get("w2")).isEmpty();
    assertThat(read).containsEntry("w3", null);
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
