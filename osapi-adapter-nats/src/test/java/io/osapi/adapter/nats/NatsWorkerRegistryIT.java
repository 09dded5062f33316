package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.osapi.core.contract.WorkerRegistryContract;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
import io.osapi.core.port.WorkerRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The core's {@link WorkerRegistryContract} on bucket {@code osapi-workers} (TTL 30 s). */
class NatsWorkerRegistryIT extends WorkerRegistryContract {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  @Override
  protected WorkerRegistry newRegistry() {
    NATS.purge(NatsLayout.WORKERS_KV_STREAM);
    return new NatsWorkerRegistry(new NatsBackendLink(NATS.backend())); // no read kept from before
  }

  private static void putRaw(String key, String value) throws Exception {
    NATS.backend().requireSession().workersKv.put(key, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void entriesThatAreNotValidWorkerRecordsAreSkippedAndCounted() throws Exception {
    Instant now = Instant.now();
    registry.heartbeat(new WorkerInfo("web.01", Map.of("group", "web"), now, now, 0, 2));
    assertThat(registry.roster().invalid()).as("positive control: nothing skipped").isZero();
    String t = now.toString();
    putRaw("workers.junk", "not json");
    putRaw("workers.quotes", "{\"id\":\"a\\\"b\\n{c\",\"labels\":{},\"started\":\"" + t
        + "\",\"last_heartbeat\":\"" + t + "\",\"active_jobs\":0,\"concurrency\":1}");
    putRaw("workers.badlabel", "{\"id\":\"badlabel\",\"labels\":{\"Group\":\"x y\"},\"started\":\""
        + t + "\",\"last_heartbeat\":\"" + t + "\",\"active_jobs\":0,\"concurrency\":1}");
    putRaw("workers.negative", "{\"id\":\"negative\",\"labels\":{},\"started\":\"" + t
        + "\",\"last_heartbeat\":\"" + t + "\",\"active_jobs\":-1,\"concurrency\":1}");
    // a valid record under another id's key: it would alias web.01
    putRaw("workers.web_01", "{\"id\":\"web.01\",\"labels\":{},\"started\":\"" + t
        + "\",\"last_heartbeat\":\"" + t + "\",\"active_jobs\":7,\"concurrency\":1}");
    registry.forgetReads(); // written past this registry, as by another process
    WorkerRoster r = registry.roster();
    assertThat(r.workers()).extracting(WorkerInfo::id, WorkerInfo::activeJobs)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("web.01", 0));
    assertThat(r.invalid()).isEqualTo(5);
  }

  @Test
  void aDrainRequestedByAnOsapiBeforeWorkerTokensIsHonouredAndWithdrawn() throws Exception {
    NATS.backend().requireSession().workerStateKv.put("drain.old_host",
        "old.host".getBytes(StandardCharsets.UTF_8));
    NATS.backend().requireSession().workerStateKv.put("drain.forged",
        "someone.else".getBytes(StandardCharsets.UTF_8));
    assertThat(registry.drainRequested("old.host")).isTrue();
    assertThat(registry.drainRequested("old_host")).as("its value names another id").isFalse();
    assertThat(registry.drainRequests()).contains("old.host").doesNotContain("someone.else");
    assertThat(registry.requestDrain("old.host")).as("requested already").isFalse();
    assertThat(registry.cancelDrain("old.host")).isTrue();
    assertThat(registry.drainRequested("old.host")).isFalse();
  }

  /** The names of the consumers standing on {@code stream} now. */
  private static Set<String> consumers(String stream) throws Exception {
    return new HashSet<>(NATS.backend().requireSession().jsm.getConsumerNames(stream));
  }

  @Test
  void theRosterIsScannedAgainOnlyWhenTheBucketMoved() throws Exception {
    Instant now = Instant.now();
    registry.heartbeat(new WorkerInfo("web.01", Map.of(), now, now, 0, 2));
    assertThat(registry.workers()).extracting(WorkerInfo::activeJobs).containsExactly(0);
    Set<String> before = consumers(NatsLayout.WORKERS_KV_STREAM);
    for (int i = 0; i < 5; i++) {
      assertThat(registry.workers()).extracting(WorkerInfo::activeJobs).containsExactly(0);
    }
    Set<String> made = consumers(NatsLayout.WORKERS_KV_STREAM);
    made.removeAll(before);
    assertThat(made).as("no scan while the bucket stands still").isEmpty();

    // the control: a heartbeat moves the stream, the next listing scans (and sees it at once)
    registry.heartbeat(new WorkerInfo("web.01", Map.of(), now, Instant.now(), 1, 2));
    assertThat(registry.workers()).extracting(WorkerInfo::activeJobs).containsExactly(1);
    made = consumers(NatsLayout.WORKERS_KV_STREAM);
    made.removeAll(before);
    assertThat(made).hasSize(1);
    registry.deregister("web.01");
    assertThat(registry.workers()).isEmpty();
  }

  @Test
  void aFreshReadOfABucketThatStoodStillScansNothing() throws Exception {
    Instant now = Instant.now();
    registry.heartbeat(new WorkerInfo("web.04", Map.of(), now, now, 0, 2));
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("web.04");
    Set<String> before = consumers(NatsLayout.WORKERS_KV_STREAM);
    for (int i = 0; i < 3; i++) {
      registry.forgetReads();
      assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("web.04");
    }
    Set<String> made = consumers(NatsLayout.WORKERS_KV_STREAM);
    made.removeAll(before);
    assertThat(made).as("the bucket stood still: its state asked, no scan").isEmpty();

    // the control: another process's heartbeat moves the stream; right after forgetReads (well
    // within the reuse) the read scans and sees it
    WorkerRegistry other = new NatsWorkerRegistry(new NatsBackendLink(NATS.backend()));
    other.heartbeat(new WorkerInfo("web.05", Map.of(), now, now, 0, 2));
    registry.forgetReads();
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("web.04", "web.05");
    made = consumers(NatsLayout.WORKERS_KV_STREAM);
    made.removeAll(before);
    assertThat(made).hasSize(1);
    registry.deregister("web.04");
    other.deregister("web.05");
  }

  @Test
  void drainRequestsAreListedWithoutAConsumer() throws Exception {
    WorkerRegistry other = new NatsWorkerRegistry(new NatsBackendLink(NATS.backend()));
    String id = "drain-list.example.com";
    assertThat(registry.drainRequests()).doesNotContain(id);
    Set<String> before = consumers(NatsLayout.WORKER_STATE_KV_STREAM);
    // what this registry writes its next listing sees at once
    assertThat(registry.requestDrain(id)).isTrue();
    assertThat(registry.drainRequests()).contains(id);
    assertThat(registry.cancelDrain(id)).isTrue();
    assertThat(registry.drainRequests()).doesNotContain(id);
    // another controller's writes within NatsWorkerRegistry.REUSE
    assertThat(other.requestDrain(id)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.drainRequests().contains(id));
    assertThat(other.cancelDrain(id)).isTrue();
    await().atMost(Duration.ofSeconds(5)).until(() -> !registry.drainRequests().contains(id));
    assertThat(consumers(NatsLayout.WORKER_STATE_KV_STREAM)).isEqualTo(before);
    // the control: jnats' keys(), which the listing used to call, leaves a consumer standing
    NATS.backend().requireSession().workerStateKv.keys();
    assertThat(consumers(NatsLayout.WORKER_STATE_KV_STREAM)).isNotEqualTo(before);
  }

  @Test
  void afterForgetReadsAnotherProcesssWritesAreSeenAtOnce() {
    WorkerRegistry other = new NatsWorkerRegistry(new NatsBackendLink(NATS.backend()));
    Instant now = Instant.now();
    assertThat(registry.workers()).isEmpty();
    assertThat(registry.drainRequests()).doesNotContain("web.03");
    other.heartbeat(new WorkerInfo("web.03", Map.of(), now, now, 0, 2));
    other.requestDrain("web.03");
    registry.forgetReads();
    assertThat(registry.workers()).extracting(WorkerInfo::id).containsExactly("web.03");
    assertThat(registry.drainRequests()).contains("web.03");
    other.cancelDrain("web.03");
  }

  @Test
  void anotherProcesssHeartbeatIsSeenWithinTheReuse() {
    WorkerRegistry other = new NatsWorkerRegistry(new NatsBackendLink(NATS.backend()));
    Instant now = Instant.now();
    assertThat(registry.workers()).isEmpty();
    other.heartbeat(new WorkerInfo("web.02", Map.of(), now, now, 0, 2));
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.workers().size() == 1);
    other.deregister("web.02");
    await().atMost(Duration.ofSeconds(5)).until(() -> registry.workers().isEmpty());
  }
}
