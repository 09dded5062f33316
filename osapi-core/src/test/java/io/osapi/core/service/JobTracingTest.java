package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.testing.RecordingJobTracing.Span;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The spans of a job's trace: the create under the caller's, each run under the create. */
class JobTracingTest {
  private static final Duration T = Duration.ofSeconds(20);
  private static final TraceContext CALLER =
      new TraceContext("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "k=v");

  @Test
  void aRunIsAProcessSpanUnderTheCreateWhichIsUnderTheCaller() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("diag.echo"), CALLER).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);

      Span create = h.tracing.spans("job.create").get(0);
      assertThat(create.parent()).isEqualTo(CALLER);
      assertThat(create.jobId()).isEqualTo(id.value());
      assertThat(create.ends()).isEqualTo(1);
      // the job keeps the create's context, and its detail shows the trace
      assertThat(v.trace()).isEqualTo(create.context());
      assertThat(v.trace().traceId()).isEqualTo(CALLER.traceId());

      Harness.awaitTrue(T, () -> !h.tracing.spans("job.process").isEmpty()
          && h.tracing.spans("job.process").get(0).ends() == 1);
      Span run = h.tracing.spans("job.process").get(0);
      assertThat(run.parent()).isEqualTo(create.context());
      assertThat(run.run().workerId()).isEqualTo("w1");
      assertThat(run.run().deliveryCount()).isEqualTo(1);
      assertThat(run.events()).containsExactly("run.claimed", "run.end_written");
      assertThat(run.failure()).isNull();
    }
  }

  @Test
  void aRedeliveredRunIsASecondSpanInTheSameTrace() {
    AtomicInteger calls = new AtomicInteger();
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.flaky", OperationKind.QUERY, "fails once", c -> {
          if (calls.incrementAndGet() == 1) {
            throw new TransientOperationException("not yet");
          }
          return "{}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("test.flaky")).job().id();
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.COMPLETED);
      Harness.awaitTrue(T, () -> h.tracing.spans("job.process").stream()
          .filter(s -> s.ends() == 1).count() == 2);

      Span create = h.tracing.spans("job.create").get(0);
      assertThat(create.parent()).isNull(); // no caller span: the create starts the trace
      List<Span> runs = h.tracing.spans("job.process");
      assertThat(runs).extracting(s -> s.run().deliveryCount()).containsExactly(1, 2);
      assertThat(runs).allSatisfy(s -> assertThat(s.parent()).isEqualTo(create.context()));
      assertThat(runs.get(0).context().spanId()).isNotEqualTo(runs.get(1).context().spanId());
      assertThat(runs.get(0).events()).containsExactly("run.claimed", "run.released");
      assertThat(runs.get(1).events()).containsExactly("run.claimed", "run.end_written");
    }
  }

  @Test
  void eachRunOfABroadcastIsItsOwnSpanUnderTheCreate() {
    OperationRegistry ops = OperationRegistry.builder()
        .register("test.where", OperationKind.QUERY, "fails on w2", c -> {
          if (c.workerId().equals("w2")) {
            throw new IllegalStateException("not here");
          }
          return "{}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      h.worker(Harness.config("w2", 1));
      h.awaitRegistered("w1", "w2");
      JobId id = h.client.create(new CreateJobRequest("test.where", null, "_all"), CALLER)
          .job().id();
      assertThat(h.awaitEnd(id, T).status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      Harness.awaitTrue(T, () -> h.tracing.spans("job.process").stream()
          .filter(s -> s.ends() == 1).count() == 2);
      Span create = h.tracing.spans("job.create").get(0);
      List<Span> runs = h.tracing.spans("job.process");
      assertThat(runs).extracting(s -> s.run().workerId())
          .containsExactlyInAnyOrder("w1", "w2");
      assertThat(runs).allSatisfy(s -> assertThat(s.parent()).isEqualTo(create.context()));
      Span failed = runs.stream().filter(s -> s.run().workerId().equals("w2")).findFirst()
          .orElseThrow();
      assertThat(failed.failure()).contains("not here");
    }
  }

  @Test
  void withoutTracingAJobKeepsNoContext() {
    try (InMemoryBroker broker = InMemoryBroker.create();
        JobClient client = JobClient.builder(broker, BuiltinOperations.registry()).build()) {
      JobView v = client.create(CreateJobRequest.of("diag.echo"), CALLER);
      assertThat(v.trace()).isNull();
      assertThat(client.get(v.job().id()).orElseThrow().trace()).isNull();
    }
  }
}
