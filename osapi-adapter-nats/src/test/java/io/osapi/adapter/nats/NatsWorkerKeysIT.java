package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Nats;
import io.nats.client.api.KeyValueEntry;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Verification;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerKey;
import io.osapi.core.service.WorkerKeys;
import io.osapi.core.service.WorkerService;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Signed run ends against a real nats-server, attacked with a raw jnats client that holds NATS
 * credentials but no worker key: a forged end naming the worker, a signature replayed from another
 * job, an end signed with a key that is not the accepted one. Each shows as unverified; the real
 * worker's end (the positive control) shows as verified.
 */
class NatsWorkerKeysIT {
  private NatsServerProcess server;
  private NatsBackend controller;
  private NatsBackend workerBackend;
  private WorkerService worker;
  private JobClient jobs;
  private Connection attacker;
  private KeyValue attackersView;
  private final WorkerKey key = WorkerKey.generate();

  @BeforeEach
  void start() throws Exception {
    server = NatsServerProcess.start();
    controller = NatsTestSupport.backend(server);
    jobs = JobClient.builder(controller, BuiltinOperations.registry()).metrics(io.osapi.core.port.JobMetrics.noop()).clock(Clock.systemUTC()).build();
    workerBackend = NatsTestSupport.backend(server);
    worker = WorkerService.builder(new WorkerConfig("w1", Map.of(), 4, Duration.ofSeconds(30), 5, Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ofMillis(500)), workerBackend, BuiltinOperations.registry()).metrics(io.osapi.core.port.JobMetrics.noop()).clock(Clock.systemUTC()).key(key).build();
    worker.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs.workers().stream()
        .anyMatch(w -> w.id().equals("w1") && key.publicKey().equals(w.publicKey())));
    attacker = Nats.connect(server.url());
    attackersView = attacker.keyValue("osapi-jobs");
  }

  @AfterEach
  void stop() throws Exception {
    if (worker != null) {
      worker.stop(Duration.ZERO);
    }
    for (AutoCloseable c : new AutoCloseable[] {attacker, workerBackend, controller, server}) {
      if (c != null) {
        c.close();
      }
    }
  }

  private JobId submit(String type, String data) {
    return jobs.create(new CreateJobRequest(type, data, "_any")).job().id();
  }

  private JobView completed(JobId id) {
    await().atMost(Duration.ofSeconds(15))
        .until(() -> jobs.get(id).map(v -> v.status() == JobStatus.COMPLETED).orElse(false));
    return jobs.get(id).orElseThrow();
  }

  /** The worker's run of a job once it is running, as the attacker reads it. */
  private KeyValueEntry runningRun(JobId id) throws Exception {
    String k = "runs." + id.value() + "._any";
    await().atMost(Duration.ofSeconds(15)).until(() -> {
      KeyValueEntry e = attackersView.get(k);
      return e != null && new String(e.getValue(), StandardCharsets.UTF_8)
          .contains("\"state\":\"running\"");
    });
    return attackersView.get(k);
  }

  @Test
  void theWorkersOwnEndIsVerifiedOnceItsKeyIsAccepted() {
    JobId before = submit("diag.echo", "{\"n\":1}");
    Verification v = completed(before).verification();
    assertThat(v.verified()).isFalse();
    assertThat(v.reason()).isEqualTo("no accepted key for worker w1");

    assertThat(jobs.keys().accept("w1")).isEqualTo(WorkerKeys.Outcome.DONE);
    assertThat(jobs.keys().accept("w1")).isEqualTo(WorkerKeys.Outcome.ALREADY);
    JobView after = completed(submit("diag.echo", "{\"n\":2}"));
    assertThat(after.verification()).isEqualTo(Verification.VERIFIED);
    assertThat(after.results()).singleElement()
        .satisfies(r -> assertThat(r.verification()).isEqualTo(Verification.VERIFIED));
    // and the earlier run, signed by the same key, is verified now too
    assertThat(jobs.get(before).orElseThrow().verification()).isEqualTo(Verification.VERIFIED);

    assertThat(jobs.keys().reject("w1")).isEqualTo(WorkerKeys.Outcome.DONE);
    await().atMost(WorkerKeys.CACHE.multipliedBy(2)).until(
        () -> !jobs.get(before).orElseThrow().verification().verified());
    assertThat(jobs.get(before).orElseThrow().verification().reason()).contains("rejected");
  }

  @Test
  void aForgedEndWrittenWithNatsCredentialsShowsAsUnverified() throws Exception {
    jobs.keys().accept("w1");
    JobId id = submit("diag.sleep", "{\"seconds\": 20}");
    KeyValueEntry running = runningRun(id);
    // the record format is public (it is JSON in a KV bucket): the attacker writes the end the
    // worker would write, without a signature
    Run forged = Records.run("run", running.getValue())
        .finish(RunState.COMPLETED, "{\"forged\":true}", null, false, Instant.now());
    attackersView.update("runs." + id.value() + "._any", Records.run(forged),
        running.getRevision());

    JobView v = completed(id);
    assertThat(v.result()).contains("forged");
    assertThat(v.results()).singleElement().satisfies(r -> assertThat(r.worker()).isEqualTo("w1"));
    assertThat(v.verification().verified()).isFalse();
    assertThat(v.verification().reason()).isEqualTo("not signed by a worker");
  }

  @Test
  void aSignatureReplayedFromAnotherJobShowsAsUnverified() throws Exception {
    jobs.keys().accept("w1");
    JobId done = submit("diag.echo", "{\"n\":1}");
    assertThat(completed(done).verification()).isEqualTo(Verification.VERIFIED);
    byte[] signedEnd = attackersView.get("runs." + done.value() + "._any").getValue();

    JobId id = submit("diag.sleep", "{\"seconds\": 20}");
    KeyValueEntry running = runningRun(id);
    attackersView.update("runs." + id.value() + "._any", signedEnd, running.getRevision());

    JobView v = completed(id);
    assertThat(v.verification().verified()).isFalse();
    assertThat(v.verification().reason())
        .isEqualTo("signature does not match the accepted key of worker w1");
  }

  @Test
  void anEndSignedWithAKeyThatIsNotTheAcceptedOneShowsAsUnverified() throws Exception {
    jobs.keys().accept("w1");
    JobId id = submit("diag.sleep", "{\"seconds\": 20}");
    KeyValueEntry running = runningRun(id);
    Run held = Records.run("run", running.getValue());
    WorkerKey attackersKey = WorkerKey.generate();
    Run forged = attackersKey.sign(RunKey.any(id),
        held.finish(RunState.COMPLETED, "{\"forged\":true}", null, false, Instant.now()));
    attackersView.update("runs." + id.value() + "._any", Records.run(forged),
        running.getRevision());

    JobView v = completed(id);
    assertThat(v.verification().verified()).isFalse();
    assertThat(v.verification().reason())
        .isEqualTo("signature does not match the accepted key of worker w1");
  }
}
