package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationExecution;
import io.osapi.core.domain.OperationHandler;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link OperationExecution#INLINE} operations on a real nats-server: they run on the NATS client's
 * thread that answered their claim, and a run handed back (which waits for its write) goes on from
 * a run thread and runs again at once. {@code InlineOperationsTest} shows where that wait happens.
 */
class NatsInlineOperationsIT {
  private static final String RUN_THREAD = "osapi-job";
  private final List<String> inlineThreads = new CopyOnWriteArrayList<>();
  private final List<String> pooledThreads = new CopyOnWriteArrayList<>();
  private final OperationRegistry operations = BuiltinOperations.builder()
      .registerInline("test.inline", OperationKind.QUERY, "retried once when asked",
          retriedOnceWhenAsked(inlineThreads))
      .register("test.pooled", OperationKind.QUERY, "retried once when asked",
          retriedOnceWhenAsked(pooledThreads))
      .build();
  @RegisterExtension final CloseAfterEach closing = new CloseAfterEach();
  private JobClient jobs;

  @BeforeEach
  void start() {
    NatsServerProcess server = closing.later(NatsServerProcess.start());
    NatsBackend controller = closing.later(NatsTestSupport.backend(server));
    jobs = closing.later(JobClient.builder(controller, operations).build());
    NatsBackend b = closing.later(NatsTestSupport.backend(server));
    // ack wait 20 s: a job handed back late (its release stuck) would wait that long to come back
    WorkerService w = WorkerService.builder(new WorkerConfig("w1", Map.of(), 2,
        Duration.ofSeconds(20), 5, Duration.ofMillis(100), Duration.ofSeconds(1),
        Duration.ofMillis(500)), b, operations).build();
    w.start();
    closing.later(() -> w.stop(Duration.ofSeconds(5)));
  }

  /** Notes its thread in {@code threads}; asks for a retry on a first attempt with "retry". */
  private static OperationHandler retriedOnceWhenAsked(List<String> threads) {
    return c -> {
      threads.add(Thread.currentThread().getName());
      if (c.attempt() == 1 && c.dataObject().containsKey("retry")) {
        throw new TransientOperationException("asked to be retried");
      }
      return "{\"attempt\":" + c.attempt() + "}";
    };
  }

  private JobView run(String type, String data) {
    JobId id = jobs.create(new CreateJobRequest(type, data, null)).job().id();
    await().atMost(Duration.ofSeconds(8)).pollInterval(Duration.ofMillis(20))
        .until(() -> jobs.get(id).orElseThrow().status().terminal());
    return jobs.get(id).orElseThrow();
  }

  @Test
  void anInlineOperationRunsOnTheConnectionsThreadAndAPooledOneOnARunThread() {
    for (int i = 0; i < 20; i++) {
      assertThat(run("test.inline", "{}").status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(run("test.pooled", "{}").status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(run("diag.echo", "{\"i\":" + i + "}").result()).isEqualTo("{\"i\":" + i + "}");
    }
    assertThat(pooledThreads).hasSize(20).allMatch(n -> n.startsWith(RUN_THREAD)); // the control
    assertThat(inlineThreads).hasSize(20).noneMatch(n -> n.startsWith(RUN_THREAD));
  }

  @Test
  void anInlineOperationThatAsksForARetryIsHandedBackAtOnceAndRunsAgain() {
    // the control: the same from a run thread
    JobView pooled = run("test.pooled", "{\"retry\":true}");
    assertThat(pooled.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(pooled.result()).isEqualTo("{\"attempt\":2}");
    // within 8 s, not after the ack wait (20 s) or a stuck write's 30 s
    JobView inline = run("test.inline", "{\"retry\":true}");
    assertThat(inline.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(inline.result()).isEqualTo("{\"attempt\":2}");
    assertThat(inlineThreads).hasSize(2);
    assertThat(inlineThreads.get(0)).doesNotStartWith(RUN_THREAD);
    assertThat(inlineThreads.get(1)).startsWith(RUN_THREAD); // a redelivery reads its run first
  }
}
