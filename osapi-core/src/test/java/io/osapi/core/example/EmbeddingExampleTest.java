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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobView;
import org.junit.jupiter.api.Test;

/** The embedding example of README.md, kept compiling and passing here. */
class EmbeddingExampleTest {
  @Test
  void readmeExample() throws Exception {
    // --- README example start
    OperationRegistry ops = BuiltinOperations.builder()
        .register("app.greet", OperationKind.QUERY, "says hello", ctx -> "{\"hello\":\"world\"}")
        .build();
    RecordingJobMetrics metrics = new RecordingJobMetrics(); // or OtelJobMetrics, or JobMetrics.noop()
    try (InMemoryBroker broker = InMemoryBroker.create(); // or NatsBackend.connect(settings)
        JobClient client = JobClient.builder(broker, ops).metrics(metrics).build();
        WorkerService worker = WorkerService.builder(WorkerConfig.defaults("worker-1"), broker, ops)
            .metrics(metrics).build()) {
      worker.start();
      JobId id = client.create(CreateJobRequest.of("app.greet")).job().id();
      JobView done = client.whenDone(id).get(10, TimeUnit.SECONDS); // no polling
      System.out.println(done.status() + " " + done.result()); // completed {"hello":"world"}
      // --- README example end
      assertThat(done.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(done.result()).isEqualTo("{\"hello\":\"world\"}");
      // the worker counts the run once its end is written: the job may be seen done a moment before
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
          .until(() -> metrics.finished(JobOutcome.COMPLETED, "app.greet") == 1);
      assertThat(metrics.finished(JobOutcome.COMPLETED, "app.greet")).isEqualTo(1);
    }
  }

  @Test
  void theReadmeShowsThisExample() throws IOException {
    List<String> test = between(Files.readAllLines(source()), "// --- README example start",
        "// --- README example end");
    List<String> readme = between(Files.readAllLines(readme()), "```java", "```");
    int indent = test.get(0).indexOf(test.get(0).strip());
    List<String> expected = new ArrayList<>();
    for (String line : test) {
      expected.add(line.length() >= indent ? line.substring(indent) : line.strip());
    }
    expected.add("}"); // the try block, closed after the assertions in the test
    assertThat(readme).as("README.md's embedding example is this test's").isEqualTo(expected);
  }

  private static List<String> between(List<String> lines, String start, String end) {
    int from = -1;
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (from < 0 && l.equals(start)) {
        from = i + 1;
      } else if (from >= 0 && l.equals(end)) {
        return lines.subList(from, i);
      }
    }
    throw new AssertionError("no block between " + start + " and " + end);
  }

  private static Path source() {
    return Path.of("src/test/java/io/osapi/core/example/EmbeddingExampleTest.java");
  }

  private static Path readme() {
    return Path.of("../README.md");
  }
}
