package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobSignature;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationPolicy;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.RefusalReason;
import io.osapi.core.domain.Target;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.JobSigner;
import io.osapi.core.service.JobVerifier;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerKey;
import io.osapi.core.service.WorkerService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Privileged jobs on a real nats-server, attacked with a raw jnats client that holds NATS
 * credentials but no signing key: it writes job records into the bucket and publishes
 * notifications straight to the workers' subjects (a job with no signature, a forged one, a
 * genuine signature over swapped data, an expired one, a job signed for {@code w2} published on
 * {@code w1}'s subject, a signed job replayed under another id). Each is refused once (failed,
 * dead-lettered, counted {@code bad_signature}) and never run: the test operation records its
 * invocations, and the controller's own signed job (the positive control) runs. Policy: a worker
 * whose allow-list does not name the operation is not expected by a broadcast, and a job sent to
 * it anyway is refused once, never redelivered.
 */
class NatsPrivilegedJobsIT {
  static final String PRIVILEGED = "test.record";

  private final Queue<String> invocations = new ConcurrentLinkedQueue<>();
  private final OperationRegistry operations = BuiltinOperations.builder()
      .registerPrivileged(PRIVILEGED, OperationKind.MODIFY, "records its data", c -> {
        invocations.add(c.workerId() + " " + c.operation().data());
        return "{\"recorded\":true}";
      })
      .build();
  private final WorkerKey controllerKey = WorkerKey.generate();
  private final JobSigner signer = JobSigner.of(controllerKey);
  private final MetricsTap metrics = new MetricsTap();
  private final List<AutoCloseable> closing = new ArrayList<>();
  private NatsServerProcess server;
  private JobClient jobs;
  private NatsBackend attackersBackend;
  private Connection attacker;
  private JetStream attackersStream;

  @BeforeEach
  void start() throws Exception {
    server = NatsServerProcess.start();
    closing.add(server);
    NatsBackend controller = NatsTestSupport.backend(server);
    closing.add(controller);
    jobs = JobClient.builder(controller, operations).signer(signer).build();
    closing.add(jobs);
    worker("w1", OperationPolicy.parse("system.*,diag.*,test.*"));
    worker("w2", OperationPolicy.defaults());
    await().atMost(Duration.ofSeconds(10)).until(() -> jobs.workers().size() == 2);
    attackersBackend = NatsTestSupport.backend(server);
    closing.add(attackersBackend);
    attacker = Nats.connect(server.url());
    closing.add(attacker);
    attackersStream = attacker.jetStream();
  }

  private void worker(String id, OperationPolicy policy) {
    NatsBackend b = NatsTestSupport.backend(server, metrics);
    closing.add(b);
    WorkerService w = WorkerService.builder(new WorkerConfig(id, Map.of(), 2,
        Duration.ofSeconds(30), 5, Duration.ofMillis(200), Duration.ofSeconds(1),
        Duration.ofMillis(500)).withAllowed(policy), b, operations)
        .metrics(metrics).verifier(JobVerifier.of(List.of(controllerKey.publicKey()))).build();
    w.start();
    closing.add(() -> w.stop(Duration.ofSeconds(5)));
  }

  @AfterEach
  void stop() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static Job job(String target, String data) {
    return new Job(JobId.generate(Clock.systemUTC()), new Operation(PRIVILEGED, data),
        OperationKind.MODIFY, Target.parse(target), Instant.now());
  }

  /**
   * Writes {@code job}'s record into the bucket and publishes its notification on {@code
   * subjectOf}'s subject, as anyone with NATS credentials can.
   */
  private void inject(Job job, List<String> expected, Job subjectOf) throws Exception {
    JobRecord r = job.target() instanceof Target.Any ? JobRecord.submitted(job, List.of())
        : JobRecord.submitted(job, expected, Duration.ofSeconds(30));
    attackersBackend.store().create(r).join();
    attackersStream.publish(NatsLayout.notificationSubject(subjectOf),
        Records.notification(JobNotification.of(r)));
  }

  private void inject(Job job) throws Exception {
    inject(job, List.of(), job);
  }

  private JobView ended(JobId id) {
    await().atMost(Duration.ofSeconds(20)).until(() -> jobs.get(id)
        .map(v -> v.status() != JobStatus.SUBMITTED && v.status() != JobStatus.PROCESSING)
        .orElse(false));
    return jobs.get(id).orElseThrow();
  }

  /** {@code worker} refused it once; null for an {@code _any} job (either worker may have it). */
  private void assertRefused(JobId id, String worker, String why) {
    JobView v = ended(id);
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.results()).singleElement().satisfies(r -> {
      assertThat(r.attempt()).as("never retried").isEqualTo(1);
      assertThat(r.worker()).isIn(worker == null ? List.of("w1", "w2") : List.of(worker));
      assertThat(v.error()).isEqualTo("privileged operation test.record refused by worker "
          + r.worker() + ": " + why);
    });
  }

  @Test
  void jobsWrittenAndPublishedWithoutAValidSignatureAreRefusedAndNeverRun() throws Exception {
    Job unsigned = job("_any", "{\"attack\":\"unsigned\"}");
    inject(unsigned);

    WorkerKey attackersKey = WorkerKey.generate();
    Job forged = JobSigner.of(attackersKey).sign(job("_any", "{\"attack\":\"forged\"}"),
        Instant.now().plusSeconds(600));
    inject(forged);
    Job forgedKid = JobSigner.of(attackersKey).sign(job("w1", "{\"attack\":\"kid\"}"),
        Instant.now().plusSeconds(600));
    forgedKid = forgedKid.withSignature(new JobSignature(signer.keyId(),
        forgedKid.signature().expires(), forgedKid.signature().value()));
    inject(forgedKid, List.of("w1"), forgedKid);

    // a genuine job the controller signed (its notification is the attacker's to read)
    JobView genuine = jobs.create(new CreateJobRequest(PRIVILEGED, "{\"n\":\"genuine\"}", "w1"));
    Job g = genuine.job();
    assertThat(g.signature()).isNotNull();
    assertThat(ended(g.id()).status()).isEqualTo(JobStatus.COMPLETED);

    Job swapped = new Job(JobId.generate(Clock.systemUTC()), new Operation(PRIVILEGED,
        "{\"attack\":\"swapped\"}"), g.kind(), g.target(), g.created(), g.signature());
    inject(swapped, List.of("w1"), swapped);
    Job replayed = new Job(JobId.generate(Clock.systemUTC()), g.operation(), g.kind(),
        g.target(), g.created(), g.signature());
    inject(replayed, List.of("w1"), replayed);
    Job expired = signer.sign(job("w1", "{\"attack\":\"expired\"}"),
        Instant.now().minusSeconds(1));
    inject(expired, List.of("w1"), expired);
    // signed for w2, published on w1's subject with w1 as the expected worker
    Job forW2 = signer.sign(job("w2", "{\"attack\":\"for w2\"}"), Instant.now().plusSeconds(600));
    inject(forW2, List.of("w1"), job("w1", "{}"));

    assertRefused(unsigned.id(), null, "it is not signed");
    assertRefused(forged.id(), null, "it is signed with key " + attackersKey.fingerprint()
        + ", which this worker does not trust (--job-verify-key-file)");
    assertRefused(forgedKid.id(), "w1", "its signature does not match its content");
    assertRefused(swapped.id(), "w1", "its signature does not match its content");
    assertRefused(replayed.id(), "w1", "its signature does not match its content");
    assertRefused(expired.id(), "w1", "its signature expired at "
        + expired.signature().expires());
    assertRefused(forW2.id(), "w1",
        "it is signed for target w2, which does not reach this worker");

    // the positive control, after the attacks: a signed job runs, once
    JobId control = jobs.create(new CreateJobRequest(PRIVILEGED, "{\"n\":\"control\"}", "_any"))
        .job().id();
    assertThat(ended(control).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(invocations).containsExactly("w1 {\"n\":\"genuine\"}", "w1 {\"n\":\"control\"}");
    assertThat(metrics.recorded.refused(PRIVILEGED, RefusalReason.BAD_SIGNATURE)).isEqualTo(7);
    assertThat(metrics.recorded.deadLettered(PRIVILEGED)).isEqualTo(7);
    assertThat(metrics.recorded.redeliveries(PRIVILEGED)).isZero();
  }

  @Test
  void aBroadcastExpectsOnlyTheWorkersThatAllowItAndARefusalIsNotRetried() throws Exception {
    JobView all = jobs.create(new CreateJobRequest(PRIVILEGED, "{\"to\":\"all\"}", "_all"));
    assertThat(all.workers().keySet()).as("w2 runs the default policy").containsExactly("w1");
    assertThat(ended(all.job().id()).status()).isEqualTo(JobStatus.COMPLETED);
    assertThatThrownBy(() -> jobs.create(new CreateJobRequest(PRIVILEGED, "{}", "w2")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("operation test.record is not allowed here: the one live worker"
            + " target w2 reaches does not allow it");
    // the worker announces its globs; the default policy announces none
    assertThat(jobs.workers()).filteredOn(w -> w.id().equals("w1")).singleElement()
        .satisfies(w -> assertThat(w.allowOperations())
            .containsExactly("system.*", "diag.*", "test.*"));
    assertThat(jobs.workers()).filteredOn(w -> w.id().equals("w2")).singleElement()
        .satisfies(w -> assertThat(w.allowOperations()).isNull());

    // signed for w2 all the same, written and published: w2 refuses it once
    Job forW2 = signer.sign(job("w2", "{\"to\":\"w2\"}"), Instant.now().plusSeconds(600));
    inject(forW2, List.of("w2"), forW2);
    JobView v = ended(forW2.id());
    assertThat(v.error()).isEqualTo("operation test.record is not allowed on worker w2");
    assertThat(metrics.recorded.refused(PRIVILEGED, RefusalReason.NOT_ALLOWED)).isEqualTo(1);
    // the control: a job for w2 it allows, sent after the refusal, ends; then the refused one
    // has had every chance to come back and has not
    JobId echo = jobs.create(new CreateJobRequest("diag.echo", "{}", "w2")).job().id();
    assertThat(ended(echo).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(jobs.get(forW2.id()).orElseThrow().results()).singleElement()
        .satisfies(r -> assertThat(r.attempt()).isEqualTo(1));
    assertThat(metrics.recorded.redeliveries(PRIVILEGED)).isZero();
    assertThat(invocations).containsExactly("w1 {\"to\":\"all\"}");
  }
}
