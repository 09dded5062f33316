package io.osapi.core.example;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerService;
import io.osapi.core.testing.RecordingJobMetrics;
import java.time.Clock;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The embedding example of README.md, kept compiling and passing here. */
class EmbeddingExampleTest {
  @Test
  void readmeExample() throws Exception {
    // --- README example start
    OperationRegistry ops = BuiltinOperations.builder()
        .register("app.greet", OperationKind.QUERY, "says hello", ctx -> "{\"hello\":\"world\"}")
        .build();
    InMemoryBroker broker = InMemoryBroker.create();
    RecordingJobMetrics metrics = new RecordingJobMetrics(); // or OtelJobMetrics, or JobMetrics.noop()
    Clock clock = Clock.systemUTC();
    JobClient client = new JobClient(broker.store(), broker.queue(), broker.registry(), ops, metrics, clock);
    try (WorkerService worker = new WorkerService(WorkerConfig.defaults("worker-1"),
        broker.store(), broker.queue(), broker.registry(), ops, metrics, clock)) {
      worker.start();
      var job = client.create(CreateJobRequest.of("app.greet"));
      // ... poll client.get(job.job().id()) until its status is completed
      // --- README example end
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(
          () -> client.get(job.job().id()).orElseThrow().status() == JobStatus.COMPLETED);
      assertThat(client.get(job.job().id()).orElseThrow().result()).isEqualTo("{\"hello\":\"world\"}");
      assertThat(metrics.finished(JobOutcome.COMPLETED, "app.greet")).isEqualTo(1);
    }
  }
}
