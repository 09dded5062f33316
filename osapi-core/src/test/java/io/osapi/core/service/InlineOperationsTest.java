package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationExecution;
import io.osapi.core.domain.OperationHandler;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.domain.Run;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** Operations run where their claim is answered ({@link OperationExecution#INLINE}). */
class InlineOperationsTest {
  private static final Duration T = Duration.ofSeconds(20);
  /** The worker's run threads ({@code WorkerService}). */
  private static final String RUN_THREAD = "osapi-job";

  @Test
  void anInlineOperationRunsWhereItsClaimIsAnsweredAndAPooledOneOnARunThread() {
    List<String> inline = new CopyOnWriteArrayList<>();
    List<String> pooled = new CopyOnWriteArrayList<>();
    OperationRegistry ops = OperationRegistry.builder()
        .registerInline("test.inline", OperationKind.QUERY, "records its thread", c -> {
          inline.add(Thread.currentThread().getName());
          return "{}";
        })
        .register("test.pooled", OperationKind.QUERY, "records its thread", c -> {
          pooled.add(Thread.currentThread().getName());
          return "{}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 2));
      for (int i = 0; i < 20; i++) {
        JobId a = h.client.create(CreateJobRequest.of("test.inline")).job().id();
        JobId b = h.client.create(CreateJobRequest.of("test.pooled")).job().id();
        assertThat(h.awaitEnd(a, T).status()).isEqualTo(JobStatus.COMPLETED);
        assertThat(h.awaitEnd(b, T).status()).isEqualTo(JobStatus.COMPLETED);
      }
      assertThat(pooled).hasSize(20).allMatch(n -> n.startsWith(RUN_THREAD)); // the control
      assertThat(inline).hasSize(20).noneMatch(n -> n.startsWith(RUN_THREAD));
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED) == 40);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0);
      assertThat(h.metrics.redeliveries()).isZero();
    }
  }

  @Test
  void anInlineOperationThatAsksForARetryIsHandedBackAndRunsAgainOnARunThread() {
    List<String> threads = new CopyOnWriteArrayList<>();
    OperationRegistry ops = OperationRegistry.builder()
        .registerInline("test.once", OperationKind.QUERY, "asks for a retry once", c -> {
          threads.add(Thread.currentThread().getName());
          if (c.attempt() == 1) {
            throw new TransientOperationException("not yet");
          }
          return "{\"ok\":true}";
        }).build();
    try (Harness h = new Harness(ops)) {
      h.worker(Harness.config("w1", 1));
      JobId id = h.client.create(CreateJobRequest.of("test.once")).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(v.result()).isEqualTo("{\"ok\":true}");
      // the first delivery ran inline, the redelivery on a run thread (it reads the run first)
      assertThat(threads).hasSize(2);
      assertThat(threads.get(0)).doesNotStartWith(RUN_THREAD);
      assertThat(threads.get(1)).startsWith(RUN_THREAD);
      Harness.awaitTrue(T, () -> h.metrics.finished(JobOutcome.COMPLETED) == 1);
      Harness.awaitTrue(T, () -> h.metrics.active() == 0); // the release ended its run too
      assertThat(h.metrics.redeliveries("test.once")).isEqualTo(1);
    }
  }

  @Test
  void theReleaseOfAnInlineRunWaitsForItsWriteOnARunThreadNotWhereTheClaimWasAnswered() {
    // the store answers writes from a thread of its own, as the NATS client does; each run write
    // is noted with its state and the thread that made it
    List<String> writes = new CopyOnWriteArrayList<>();
    ExecutorService answers = Executors.newSingleThreadExecutor(r -> new Thread(r, "answers"));
    OperationHandler retryOnce = c -> {
      if (c.attempt() == 1) {
        throw new TransientOperationException("not yet");
      }
      return "{}";
    };
    OperationRegistry ops = OperationRegistry.builder()
        .registerInline("test.once", OperationKind.QUERY, "asks for a retry once", retryOnce)
        .register("test.pooled", OperationKind.QUERY, "asks for a retry once", retryOnce).build();
    try (Harness h = new Harness(ops)) {
      JobStore real = h.broker.store();
      JobStore answering = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(),
          new Class<?>[] {JobStore.class}, (proxy, m, args) -> {
            Object out;
            try {
              out = m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
            if (m.getName().equals("putRun")) {
              writes.add(((Run) args[1]).state() + " " + Thread.currentThread().getName());
            }
            return out instanceof CompletableFuture<?> f ? f.thenApplyAsync(v -> v, answers) : out;
          });
      WorkerService w = WorkerService.builder(Harness.config("w1", 1),
          Broker.of(answering, h.broker.queue(), h.broker.registry(), h.broker.audit()), ops)
          .build();
      w.start();
      try {
        for (String type : List.of("test.pooled", "test.once")) { // the control first
          writes.clear();
          JobId id = h.client.create(CreateJobRequest.of(type)).job().id();
          assertThat(h.awaitEnd(id, T).status()).as(type).isEqualTo(JobStatus.COMPLETED);
          assertThat(writes).as(type).filteredOn(x -> x.startsWith("RELEASED")).singleElement()
              .asString().contains(" " + RUN_THREAD);
        }
        // the claim of the inline run was answered on the store's thread, and it ran there
        assertThat(writes).filteredOn(x -> x.startsWith("RUNNING")).first().asString()
            .doesNotContain(RUN_THREAD);
      } finally {
        w.stop(Duration.ofSeconds(5));
        answers.shutdownNow();
      }
    }
  }

  @Test
  void anInlineOperationThatFailsFailsItsJobOnce() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      h.worker(Harness.config("w1", 2));
      JobId id = h.client.create(new CreateJobRequest("diag.fail", "{\"message\":\"no\"}", null))
          .job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).contains("no");
      assertThat(h.marker("diag.echo", T).status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.finished(JobOutcome.FAILED, "diag.fail")).isEqualTo(1);
      assertThat(h.metrics.redeliveries()).isZero();
    }
  }

  @Test
  void theBuiltInsThatNeverBlockRunInlineAndEveryOtherOnARunThread() {
    OperationRegistry ops = BuiltinOperations.registry();
    assertThat(ops.definitions()).filteredOn(d -> d.execution() == OperationExecution.INLINE)
        .extracting(OperationDefinition::type).containsExactlyInAnyOrder("diag.echo", "diag.fail");
    assertThat(ops.require("diag.sleep").execution()).isEqualTo(OperationExecution.POOLED);
    assertThat(ops.definitions()).filteredOn(OperationDefinition::privileged).isNotEmpty()
        .allMatch(d -> d.execution() == OperationExecution.POOLED);
  }

  @Test
  void aPrivilegedOperationCannotRunInline() {
    assertThatThrownBy(() -> new OperationDefinition("test.exec", OperationKind.MODIFY, "runs",
        c -> "{}", true, OperationExecution.INLINE))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("test.exec").hasMessageContaining("inline");
    // the control: the same definition run on a run thread is accepted
    assertThat(new OperationDefinition("test.exec", OperationKind.MODIFY, "runs", c -> "{}", true,
        OperationExecution.POOLED).privileged()).isTrue();
  }
}
