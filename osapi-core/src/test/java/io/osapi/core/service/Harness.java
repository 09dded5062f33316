package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.testing.RecordingJobMetrics;
import io.osapi.core.testing.RecordingJobTracing;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;

/** An embedded broker with a job client and workers, all reporting to one recording metrics. */
final class Harness implements AutoCloseable {
  final InMemoryBroker broker = InMemoryBroker.create();
  final RecordingJobMetrics metrics = new RecordingJobMetrics();
  final RecordingJobTracing tracing = new RecordingJobTracing();
  final OperationRegistry operations;
  final JobClient client;
  final List<WorkerService> workers = new ArrayList<>();

  /** The controller's job signing key: the client signs privileged jobs, workers verify them. */
  private final WorkerKey signingKey = WorkerKey.generate();

  Harness(OperationRegistry operations) {
    this.operations = operations;
    this.client = JobClient.builder(broker, operations).metrics(metrics).tracing(tracing)
        .signer(JobSigner.of(signingKey)).build();
  }

  WorkerService worker(WorkerConfig config) {
    WorkerService w = WorkerService.builder(config, broker, operations).metrics(metrics).tracing(tracing)
        .verifier(JobVerifier.of(List.of(signingKey.publicKey()))).build();
    workers.add(w);
    w.start();
    return w;
  }

  /** Waits until every one of {@code ids} is in the worker registry (broadcasts expect them). */
  void awaitRegistered(String... ids) {
    awaitTrue(Duration.ofSeconds(10), () -> client.workers().stream()
        .map(w -> w.id()).toList().containsAll(List.of(ids)));
  }

  static WorkerConfig config(String id, int concurrency) {
    return new WorkerConfig(id, Map.of(), concurrency, Duration.ofSeconds(5), 3,
        Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofMillis(100));
  }

  JobView awaitEnd(JobId id, Duration timeout) {
    awaitTrue(timeout, () -> {
      JobStatus s = client.get(id).orElseThrow().status();
      return s != JobStatus.SUBMITTED && s != JobStatus.PROCESSING;
    });
    return client.get(id).orElseThrow();
  }

  static void awaitTrue(Duration timeout, BooleanSupplier cond) {
    Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(10))
        .until(cond::getAsBoolean);
  }

  /**
   * The positive control of an absence: creates a job of {@code type} after the fact under test
   * and waits for its end. The workers of this harness take deliveries in order, so once the
   * marker has ended, whatever was delivered before it has been decided too: an assertion that
   * something did not happen is made after the worker demonstrably had the chance to do it.
   */
  JobView marker(String type, Duration timeout) {
    JobId id = client.create(CreateJobRequest.of(type)).job().id();
    return awaitEnd(id, timeout);
  }

  @Override
  public void close() {
    workers.forEach(w -> w.stop(Duration.ofSeconds(5)));
    client.close();
  }
}
