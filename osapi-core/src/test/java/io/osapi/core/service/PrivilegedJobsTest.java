package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.testing.RecordingJobMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Privileged jobs on the embedded broker, attacked by someone who can write the job store and
 * publish notifications (what NATS credentials allow) but holds no signing key: a job with no
 * signature, a forged one, a valid signature over other data, an expired one, a signed job
 * replayed under another id (one signed for another host: {@code JobVerifierTest}, and on NATS,
 * where a notification can be published to another worker's subject, {@code
 * NatsPrivilegedJobsIT}). Each is refused once (failed,
 * dead-lettered, counted as {@code bad_signature}) and never run: the operation records its
 * invocations, and a correctly signed job (the positive control) is run and recorded.
 */
@Timeout(60)
class PrivilegedJobsTest {
  static final String PRIVILEGED = "test.record";
  static final OperationPolicy ALLOW_ALL = OperationPolicy.parse("system.*,diag.*,test.*");

  private final Queue<String> invocations = new ConcurrentLinkedQueue<>();
  private final OperationRegistry operations = BuiltinOperations.builder()
      .registerPrivileged(PRIVILEGED, OperationKind.MODIFY, "records its data",
          c -> {
            invocations.add(c.operation().data());
            return "{\"recorded\":true}";
          })
      .build();
  private final InMemoryBroker broker = InMemoryBroker.create();
  private final RecordingJobMetrics metrics = new RecordingJobMetrics();
  private final WorkerKey controllerKey = WorkerKey.generate();
  private final JobSigner signer = JobSigner.of(controllerKey);
  private final JobVerifier verifier = JobVerifier.of(List.of(controllerKey.publicKey()));
  private final List<AutoCloseable> closing = new ArrayList<>();

  private JobClient client(JobSigner s) {
    JobClient.Builder b = JobClient.builder(broker, operations).metrics(metrics);
    if (s != null) {
      b.signer(s);
    }
    JobClient c = b.build();
    closing.add(c);
    return c;
  }

  private WorkerService worker(String id, OperationPolicy policy, Map<String, String> labels) {
    WorkerConfig config = Harness.config(id, 2).withLabels(labels).withAllowed(policy);
    WorkerService w = WorkerService.builder(config, broker, operations).metrics(metrics)
        .verifier(verifier).build();
    closing.add(() -> w.stop(Duration.ofSeconds(5)));
    w.start();
    return w;
  }

  @AfterEach
  void close() throws Exception {
    for (int i = closing.size() - 1; i >= 0; i--) {
      closing.get(i).close();
    }
  }

  private static JobView awaitEnd(JobClient c, JobId id) {
    Harness.awaitTrue(Duration.ofSeconds(15), () -> {
      JobStatus s = c.get(id).map(JobView::status).orElse(JobStatus.SUBMITTED);
      return s != JobStatus.SUBMITTED && s != JobStatus.PROCESSING;
    });
    return c.get(id).orElseThrow();
  }

  /** What an attacker with store and queue access does: stores the record and notifies it. */
  private void inject(Job job, List<String> expected) {
    JobRecord r = job.target() instanceof Target.Any ? JobRecord.submitted(job, List.of())
        : JobRecord.submitted(job, expected, Duration.ofSeconds(30));
    broker.store().create(r).join();
    broker.queue().publish(JobNotification.of(r)).join();
  }

  private static Job unsigned(String target, String data) {
    return new Job(JobId.generate(Clock.systemUTC()), new Operation(PRIVILEGED, data),
        OperationKind.MODIFY, Target.parse(target), Instant.now());
  }

  /** Asserts {@code id} was refused for its signature, once, without being run. */
  private void assertRefused(JobClient c, JobId id, String why) {
    JobView v = awaitEnd(c, id);
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.error()).startsWith("privileged operation test.record refused by worker w1: ")
        .contains(why);
    assertThat(v.results()).singleElement()
        .satisfies(r -> assertThat(r.attempt()).as("never retried").isEqualTo(1));
  }

  @Test
  void onlyACorrectlySignedPrivilegedJobRuns() {
    JobClient c = client(signer);
    worker("w1", ALLOW_ALL, Map.of());
    Harness.awaitTrue(Duration.ofSeconds(10), () -> !c.workers().isEmpty());

    // the attacks, each a job the worker gets through the store and the queue
    Job none = unsigned("_any", "{\"attack\":\"unsigned\"}");
    inject(none, List.of());

    WorkerKey attackersKey = WorkerKey.generate();
    Job forged = JobSigner.of(attackersKey).sign(unsigned("_any", "{\"attack\":\"forged\"}"),
        Instant.now().plusSeconds(600));
    inject(forged, List.of());

    Job genuine = signer.sign(unsigned("_any", "{\"n\":1}"), Instant.now().plusSeconds(600));
    Job swapped = new Job(JobId.generate(Clock.systemUTC()), new Operation(PRIVILEGED,
        "{\"attack\":\"swapped\"}"), OperationKind.MODIFY, Target.parse("_any"), genuine.created(),
        null);
    // the genuine signature, with the genuine job's id, over other data
    swapped = new Job(genuine.id(), swapped.operation(), swapped.kind(), swapped.target(),
        swapped.created(), genuine.signature());
    inject(swapped, List.of());

    Job expired = signer.sign(unsigned("_any", "{\"attack\":\"expired\"}"),
        Instant.now().minusSeconds(1));
    inject(expired, List.of());

    Job replayed = new Job(JobId.generate(Clock.systemUTC()), genuine.operation(), genuine.kind(),
        genuine.target(), genuine.created(), genuine.signature());
    inject(replayed, List.of());

    // a self-made key that claims the controller's key id
    Job sameKeyId = JobSigner.of(attackersKey).sign(unsigned("_any", "{\"attack\":\"kid\"}"),
        Instant.now().plusSeconds(600));
    inject(sameKeyId.withSignature(new JobSignature(signer.keyId(),
        sameKeyId.signature().expires(), sameKeyId.signature().value())), List.of());

    assertRefused(c, none.id(), "it is not signed");
    assertRefused(c, forged.id(), "which this worker does not trust");
    assertRefused(c, swapped.id(), "its signature does not match its content");
    assertRefused(c, expired.id(), "its signature expired at");
    assertRefused(c, replayed.id(), "its signature does not match its content");
    assertRefused(c, sameKeyId.id(), "its signature does not match its content");

    // the positive control: the controller's own signed job runs, once
    JobId ok = c.create(new CreateJobRequest(PRIVILEGED, "{\"n\":\"control\"}", "_any"))
        .job().id();
    assertThat(awaitEnd(c, ok).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(c.get(ok).orElseThrow().job().signature()).isNotNull();
    assertThat(invocations).containsExactly("{\"n\":\"control\"}");
    assertThat(metrics.refused(PRIVILEGED, RefusalReason.BAD_SIGNATURE)).isEqualTo(6);
    assertThat(metrics.deadLettered(PRIVILEGED)).isEqualTo(6);
    assertThat(metrics.redeliveries(PRIVILEGED)).isZero();
  }

  @Test
  void aRetriedPrivilegedJobIsSignedAgainUnderItsNewId() {
    JobClient c = client(signer);
    worker("w1", ALLOW_ALL, Map.of());
    Harness.awaitTrue(Duration.ofSeconds(10), () -> !c.workers().isEmpty());
    JobId first = c.create(new CreateJobRequest(PRIVILEGED, "{\"n\":1}", "w1")).job().id();
    assertThat(awaitEnd(c, first).status()).isEqualTo(JobStatus.COMPLETED);
    Job again = c.retry(first, null).orElseThrow().job();
    assertThat(again.signature()).isNotNull();
    assertThat(again.signature().value())
        .isNotEqualTo(c.get(first).orElseThrow().job().signature().value());
    assertThat(verifier.refusal(again, "w1", Map.of(), Instant.now())).isEmpty();
    assertThat(awaitEnd(c, again.id()).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(invocations).containsExactly("{\"n\":1}", "{\"n\":1}");
  }

  @Test
  void aControllerWithoutASigningKeyCreatesNoPrivilegedJob() {
    JobClient c = client(null);
    worker("w1", ALLOW_ALL, Map.of());
    assertThatThrownBy(() -> c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("operation test.record is privileged and this controller has no"
            + " job signing key (--job-signing-key-file)");
    assertThat(c.create(CreateJobRequest.of("diag.echo")).job().signature())
        .as("jobs that are not privileged are not signed").isNull();
  }

  @Test
  void aWorkerWithoutVerifyKeysRefusesEveryPrivilegedJob() {
    JobClient c = client(signer);
    WorkerService w = WorkerService.builder(Harness.config("w1", 1).withAllowed(ALLOW_ALL),
        broker, operations).metrics(metrics).build();
    closing.add(() -> w.stop(Duration.ofSeconds(5)));
    w.start();
    Harness.awaitTrue(Duration.ofSeconds(10), () -> !c.workers().isEmpty());
    JobId id = c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any")).job().id();
    assertRefused(c, id, "this worker holds no key to verify job signatures with");
    assertThat(invocations).isEmpty();
  }

  @Test
  void theDefaultPolicyRefusesAPrivilegedJobOnceAndNeverRetriesIt() {
    JobClient c = client(signer);
    worker("w1", OperationPolicy.defaults(), Map.of());
    worker("w2", ALLOW_ALL, Map.of());
    Harness.awaitTrue(Duration.ofSeconds(10), () -> c.workers().size() == 2);
    // injected for w1, whose policy (the default) does not allow it: a signed job for w1 itself
    Job forW1 = signer.sign(unsigned("w1", "{\"for\":\"w1\"}"), Instant.now().plusSeconds(600));
    inject(forW1, List.of("w1"));
    JobView v = awaitEnd(c, forW1.id());
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.error()).isEqualTo("operation test.record is not allowed on worker w1");
    assertThat(v.results()).singleElement().satisfies(r -> assertThat(r.attempt()).isEqualTo(1));
    assertThat(metrics.refused(PRIVILEGED, RefusalReason.NOT_ALLOWED)).isEqualTo(1);
    // the control: the same job for w2, which allows it, runs
    JobId ok = c.create(new CreateJobRequest(PRIVILEGED, "{\"for\":\"w2\"}", "w2")).job().id();
    assertThat(awaitEnd(c, ok).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(invocations).containsExactly("{\"for\":\"w2\"}");
    assertThat(metrics.redeliveries(PRIVILEGED)).isZero();
  }

  @Test
  void anAllowListRefusesWhatItDoesNotNameEvenWhenNotPrivileged() {
    JobClient c = client(signer);
    worker("w1", OperationPolicy.parse("system.*"), Map.of());
    Harness.awaitTrue(Duration.ofSeconds(10), () -> !c.workers().isEmpty());
    Job echo = new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
        OperationKind.QUERY, Target.parse("_any"), Instant.now());
    inject(echo, List.of());
    JobView v = awaitEnd(c, echo.id());
    assertThat(v.error()).isEqualTo("operation diag.echo is not allowed on worker w1");
    assertThat(metrics.refused("diag.echo", RefusalReason.NOT_ALLOWED)).isEqualTo(1);
    JobId ok = c.create(CreateJobRequest.of("system.hostname.get")).job().id();
    assertThat(awaitEnd(c, ok).status()).isEqualTo(JobStatus.COMPLETED);
  }

  @Test
  void aBroadcastExpectsOnlyTheWorkersThatAllowItsOperation() {
    JobClient c = client(signer);
    worker("w1", OperationPolicy.defaults(), Map.of("group", "web"));
    worker("w2", ALLOW_ALL, Map.of("group", "web"));
    worker("w3", ALLOW_ALL, Map.of("group", "db"));
    Harness.awaitTrue(Duration.ofSeconds(10), () -> c.workers().size() == 3);

    JobView all = c.create(new CreateJobRequest(PRIVILEGED, "{\"to\":\"all\"}", "_all"));
    assertThat(all.workers().keySet()).containsExactlyInAnyOrder("w2", "w3");
    JobView web = c.create(new CreateJobRequest(PRIVILEGED, "{\"to\":\"web\"}", "group:web"));
    assertThat(web.workers().keySet()).containsExactly("w2");
    assertThat(awaitEnd(c, all.job().id()).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(awaitEnd(c, web.job().id()).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(invocations).containsExactlyInAnyOrder(
        "{\"to\":\"all\"}", "{\"to\":\"all\"}", "{\"to\":\"web\"}");
    // what every worker allows: all three expected
    assertThat(c.create(new CreateJobRequest("diag.echo", "{}", "_all")).workers().keySet())
        .containsExactlyInAnyOrder("w1", "w2", "w3");
    assertThat(metrics.refused(RefusalReason.NOT_ALLOWED)).isZero();
  }

  @Test
  void aCreateNoLiveWorkerOfItsTargetAllowsIsRefused() {
    JobClient c = client(signer);
    // with no worker registered an _any job waits for one, as before
    assertThat(c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any")).status())
        .isEqualTo(JobStatus.SUBMITTED);
    worker("w1", OperationPolicy.defaults(), Map.of("group", "web"));
    Harness.awaitTrue(Duration.ofSeconds(10), () -> !c.workers().isEmpty());
    Harness.awaitTrue(Duration.ofSeconds(10), () -> {
      try {
        c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any"));
        return false; // the cached reading from before w1 registered: looked at again
      } catch (InvalidInputException e) {
        return true;
      }
    });
    assertThatThrownBy(() -> c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessage("operation test.record is not allowed here: none of the 1 live workers"
            + " allows it (a worker runs only what its --allow-operations names; by default"
            + " every operation that is not privileged)");
    assertThatThrownBy(() -> c.create(new CreateJobRequest(PRIVILEGED, "{}", "w1")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageStartingWith("operation test.record is not allowed here: the one live worker"
            + " target w1 reaches does not allow it");
    assertThatThrownBy(() -> c.create(new CreateJobRequest(PRIVILEGED, "{}", "group:web")))
        .isInstanceOf(InvalidInputException.class);
    // the control: a worker that allows it makes the same creates pass
    worker("w2", ALLOW_ALL, Map.of("group", "web"));
    Harness.awaitTrue(Duration.ofSeconds(10), () -> c.workers().size() == 2);
    assertThat(c.create(new CreateJobRequest(PRIVILEGED, "{}", "group:web")).workers().keySet())
        .containsExactly("w2");
    assertThat(c.create(new CreateJobRequest(PRIVILEGED, "{}", "_any")).status())
        .isEqualTo(JobStatus.SUBMITTED);
  }
}
