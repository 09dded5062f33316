package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PublishAck;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A broadcast job with 20,000 registered workers on a real nats-server: two real workers and
 * 20,000 heartbeat entries written straight into bucket {@code osapi-workers} (as a fleet of that
 * size would have). The job is stored (its record compact, far under NATS's max payload), run by
 * the real workers, and read back with every expected worker, each step in bounded time. Prints
 * the figures (docs/performance.md).
 */
class NatsLargeFleetIT {
  static final int FLEET = 20_000;

  private NatsServerProcess server;
  private Fleet fleet;

  @BeforeEach
  void start() {
    server = NatsServerProcess.start();
    fleet = new Fleet(NatsTestSupport.settings(server).build());
  }

  @AfterEach
  void stop() {
    if (fleet != null) {
      fleet.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /** A host name of a large fleet: {@code host-00042.rack-02.dc-1.example.com}. */
  static String host(int i) {
    return String.format("host-%05d.rack-%02d.dc-%d.example.com", i, i % 40, i % 3);
  }

  @Test
  void aBroadcastToTwentyThousandRegisteredWorkersIsStoredRunAndRead() throws Exception {
    fleet.start("real-a");
    fleet.start("real-b");
    NatsSession s = fleet.client.requireSession();
    Instant now = Instant.now();
    List<CompletableFuture<PublishAck>> acks = new ArrayList<>(FLEET);
    long w0 = System.nanoTime();
    for (int i = 0; i < FLEET; i++) {
      WorkerInfo w = new WorkerInfo(host(i), Map.of("group", "fleet"), now, now, 0, 4);
      acks.add(s.js.publishAsync(NatsLayout.WORKERS_KV_PREFIX + NatsLayout.workerKey(w.id()),
          ControlRecords.worker(w)));
    }
    CompletableFuture.allOf(acks.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    long writeMs = (System.nanoTime() - w0) / 1_000_000;
    long l0 = System.nanoTime();
    List<WorkerInfo> roster = fleet.client.registry().roster().workers();
    assertThat(roster).hasSize(FLEET + 2);
    assertThat(roster).extracting(WorkerInfo::id).contains("real-a", "real-b")
        .doesNotHaveDuplicates();
    long listMs = (System.nanoTime() - l0) / 1_000_000;

    long c0 = System.nanoTime();
    JobId id = fleet.create("diag.echo", "{\"hi\":1}", "_all");
    long createMs = (System.nanoTime() - c0) / 1_000_000;
    KeyValueEntry record = s.jobsKv.get(NatsLayout.jobKey(id));
    long maxPayload = s.conn.getServerInfo().getMaxPayload();
    assertThat((long) record.getValue().length).as("the record").isLessThan(maxPayload / 4);

    assertThat(fleet.awaitFinishedBy(id, Set.of("real-a", "real-b"), Duration.ofSeconds(30)))
        .isTrue();
    long d0 = System.nanoTime();
    JobView v = fleet.jobs.get(id).orElseThrow();
    long detailMs = (System.nanoTime() - d0) / 1_000_000;
    assertThat(v.workers()).hasSize(FLEET + 2);
    assertThat(v.workers().get("real-a").state()).isEqualTo(RunState.COMPLETED);
    assertThat(v.workers().get("real-b").state()).isEqualTo(RunState.COMPLETED);
    WorkerState silent = v.workers().get(host(12345));
    assertThat(silent).isNotNull();
    assertThat(silent.state()).isNotEqualTo(RunState.COMPLETED);
    assertThat(v.status()).isEqualTo(JobStatus.PROCESSING);
    assertThat(Duration.ofMillis(createMs)).as("create").isLessThan(Duration.ofSeconds(10));
    assertThat(Duration.ofMillis(detailMs)).as("detail").isLessThan(Duration.ofSeconds(10));
    // the job's timeout at that scale: 20,000 runs "did not respond", then read back
    long t0 = System.nanoTime();
    int failed = new io.osapi.core.service.JobTimeoutService(fleet.client.store(),
        fleet.client.queue(), io.osapi.core.port.JobMetrics.noop(),
        java.time.Clock.systemUTC()).handle(new io.osapi.core.domain.JobDeadline(id,
            Instant.now()));
    long timeoutMs = (System.nanoTime() - t0) / 1_000_000;
    assertThat(failed).isEqualTo(FLEET);
    long e0 = System.nanoTime();
    JobView ended = fleet.jobs.get(id).orElseThrow();
    long endedMs = (System.nanoTime() - e0) / 1_000_000;
    assertThat(ended.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
    assertThat(ended.workers().get(host(12345)).error()).startsWith("did not respond within");
    System.out.printf("large fleet: timeout failed %,d runs in %d ms; detail with %,d runs read"
        + " in %d ms%n", failed, timeoutMs, FLEET + 2, endedMs);
    System.out.printf("large fleet: %,d entries written in %d ms, listed in %d ms; _all job to"
        + " %,d workers created in %d ms, record %,d bytes (max payload %,d), detail read in %d"
        + " ms%n", FLEET, writeMs, listMs, FLEET + 2, createMs, record.getValue().length,
        maxPayload, detailMs);
  }
}
