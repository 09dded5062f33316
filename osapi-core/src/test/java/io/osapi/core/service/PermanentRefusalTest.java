package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunState;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A worker whose end the store refuses for good (a result larger than it takes) records the run
 * failed with the store's reason, once, instead of retrying it as if the store were away.
 */
class PermanentRefusalTest {
  @Test
  void anEndTooLargeForTheStoreFailsTheRunWithTheReason() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      AtomicInteger refused = new AtomicInteger();
      JobStore store = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("putRun") && ((Run) args[1]).state() == RunState.COMPLETED
                && ((Run) args[1]).result().length() > 1000) {
              refused.incrementAndGet();
              return CompletableFuture.failedFuture(new PermanentStoreException(
                  "the value is 2000 bytes, more than the max payload (injected)", null));
            }
            try {
              return m.invoke(h.broker.store(), args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      WorkerService w = WorkerService.builder(Harness.config("w1", 1),
          Broker.of(store, h.broker.queue(), h.broker.registry()), h.operations)
          .metrics(h.metrics).build();
      h.workers.add(w);
      w.start();
      JobId big = h.client.create(new CreateJobRequest("diag.echo",
          "{\"x\":\"" + "a".repeat(1500) + "\"}", "_any")).job().id();
      JobView v = h.awaitEnd(big, Duration.ofSeconds(15));
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.error()).isEqualTo("the run's end could not be stored: the value is 2000"
          + " bytes, more than the max payload (injected)");
      assertThat(refused).hasValue(1);
      // the positive control: a small result on the same worker completes
      JobId small = h.client.create(new CreateJobRequest("diag.echo", "{\"x\":1}", "_any"))
          .job().id();
      assertThat(h.awaitEnd(small, Duration.ofSeconds(15)).status())
          .isEqualTo(JobStatus.COMPLETED);
      assertThat(refused).hasValue(1);
    }
  }
}
