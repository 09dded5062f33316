package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.JobStore;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class JobTimeoutServiceTest {
  private static final Duration T = Duration.ofSeconds(15);

  /** A registry entry of a worker that is not running (its heartbeat is still fresh). */
  private static void registeredButDead(Harness h, String id) {
    Instant now = Instant.now();
    h.broker.registry().heartbeat(new WorkerInfo(id, Map.of(), now, now, 0, 1));
  }

  private JobTimeoutService service(Harness h, JobStore store) {
    return new JobTimeoutService(store, h.broker.queue(), h.metrics, Clock.systemUTC());
  }

  @Test
  void aWorkerThatNeverAnswersFailsAtTheDeadlineAndTheOthersStand() {
    try (Harness h = new Harness(BuiltinOperations.registry());
        JobTimeoutService c1 = service(h, h.broker.store());
        JobTimeoutService c2 = service(h, h.broker.store())) {
      c1.start();
      c2.start(); // two controllers: each run is failed and counted once
      h.worker(Harness.config("w1", 1));
      h.worker(Harness.config("w2", 1));
      registeredButDead(h, "w3");
      h.awaitRegistered("w1", "w2", "w3");
      long start = System.nanoTime();
      JobId id = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_all", Duration.ofSeconds(1))).job().id();
      Harness.awaitTrue(T, () -> h.client.get(id).orElseThrow().workers().get("w1").state()
          == RunState.COMPLETED);
      assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
      JobView v = h.awaitEnd(id, T);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(900));
      assertThat(v.status()).isEqualTo(JobStatus.PARTIAL_FAILURE);
      assertThat(v.workers().get("w1").state()).isEqualTo(RunState.COMPLETED);
      assertThat(v.workers().get("w2").state()).isEqualTo(RunState.COMPLETED);
      assertThat(v.workers().get("w3").state()).isEqualTo(RunState.FAILED);
      assertThat(v.workers().get("w3").error()).isEqualTo("did not respond within 1s");
      assertThat(v.error()).isEqualTo("did not respond within 1s");
      assertThat(v.results()).anySatisfy(r -> {
        assertThat(r.worker()).isEqualTo("w3");
        assertThat(r.status()).isEqualTo(RunState.FAILED);
      });
      Harness.awaitTrue(T, () -> h.metrics.timedOut("diag.echo") == 1);
      // the deadline reported again (at least once): nothing more happens
      assertThat(c2.handle(new JobDeadline(id, Instant.now()))).isZero();
      assertThat(h.metrics.timedOut()).isEqualTo(1);
    }
  }

  @Test
  void everyExpectedWorkerSilentIsFailed() {
    try (Harness h = new Harness(BuiltinOperations.registry());
        JobTimeoutService c = service(h, h.broker.store())) {
      c.start();
      registeredButDead(h, "a1");
      registeredButDead(h, "a2");
      JobId id = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_all", Duration.ofSeconds(1))).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(h.metrics.timedOut("diag.echo")).isEqualTo(2);
    }
  }

  @Test
  void aLateAnswerThatWinsTheRaceIsKeptAndNotCounted() throws Exception {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      registeredButDead(h, "w1");
      JobId id = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_all", Duration.ofHours(1))).job().id();
      RunKey key = RunKey.of(id, "w1");
      Run claimed = Run.claim(null, "w1", 1, Instant.now());
      long rev = h.broker.store().putRun(key, claimed, 0).get();
      // the worker's end lands between the service's read and its compare-and-set
      AtomicBoolean raced = new AtomicBoolean();
      JobStore racing = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("putRun") && raced.compareAndSet(false, true)) {
              h.broker.store().putRun(key,
                  claimed.finish(RunState.COMPLETED, "{}", null, false, Instant.now()), rev).get();
            }
            return m.invoke(h.broker.store(), args);
          });
      JobTimeoutService c = service(h, racing);
      assertThat(c.handle(new JobDeadline(id, Instant.now()))).isZero();
      assertThat(raced).isTrue();
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
      assertThat(h.metrics.timedOut()).isZero();
    }
  }

  @Test
  void aWorkerWhoseAnswerComesAfterTheTimeoutIsSuperseded() {
    try (Harness h = new Harness(BuiltinOperations.registry());
        JobTimeoutService c = service(h, h.broker.store())) {
      c.start();
      h.worker(Harness.config("slow", 1));
      h.awaitRegistered("slow");
      JobId id = h.client.create(new CreateJobRequest(
          "diag.sleep", "{\"seconds\":2}", "_all", Duration.ofSeconds(1))).job().id();
      JobView v = h.awaitEnd(id, T);
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.workers().get("slow").error()).isEqualTo("did not respond within 1s");
      Harness.awaitTrue(T, () -> h.metrics.superseded("diag.sleep") == 1);
      Run run = h.broker.store().run(RunKey.of(id, "slow")).orElseThrow().value();
      assertThat(run.state()).isEqualTo(RunState.FAILED);
      assertThat(run.worker()).isEqualTo("slow"); // the holder is kept
      assertThat(h.metrics.timedOut("diag.sleep")).isEqualTo(1);
      assertThat(h.metrics.finished(io.osapi.core.domain.JobOutcome.COMPLETED, "diag.sleep"))
          .isZero();
    }
  }

  @Test
  void aDeadlineOfAJobThatIsGoneOrAnAnyJobDoesNothing() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      JobTimeoutService c = service(h, h.broker.store());
      assertThat(c.handle(new JobDeadline(JobId.generate(Clock.systemUTC()), Instant.now())))
          .isZero();
      JobId any = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      assertThat(c.handle(new JobDeadline(any, Instant.now()))).isZero();
      assertThat(h.broker.store().run(RunKey.any(any))).isEmpty();
    }
  }

  @Test
  void theTimeoutIsStoredCheckedAndDefaulted() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      registeredButDead(h, "w1");
      JobId byDefault = h.client.create(new CreateJobRequest("diag.echo", "{}", "_all"))
          .job().id();
      JobRecord r = h.broker.store().find(byDefault).orElseThrow().value();
      assertThat(r.timeout()).isEqualTo(JobClient.DEFAULT_TIMEOUT);
      assertThat(r.deadline()).isEqualTo(r.job().created().plusSeconds(60));
      JobId given = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "w1", Duration.ofSeconds(5))).job().id();
      assertThat(h.broker.store().find(given).orElseThrow().value().timeout())
          .isEqualTo(Duration.ofSeconds(5));
      JobId any = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
      assertThat(h.broker.store().find(any).orElseThrow().value().timeout()).isNull();
      for (Duration bad : new Duration[] {Duration.ZERO, Duration.ofMillis(999),
          Duration.ofHours(24).plusSeconds(1)}) {
        assertThatThrownBy(() -> h.client.create(
            new CreateJobRequest("diag.echo", "{}", "_all", bad)))
            .isInstanceOf(InvalidInputException.class)
            .hasMessageContaining("timeout_seconds must be between 1 and 86400 seconds");
      }
      assertThatThrownBy(() -> h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_any", Duration.ofSeconds(5))))
          .isInstanceOf(InvalidInputException.class)
          .hasMessageContaining("broadcast targets");
      assertThat(h.client.stats().total()).isEqualTo(3);
    }
  }

  @Test
  void aDeadlineWhoseHandlerFailsIsHandedOutAgain() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      java.util.concurrent.atomic.AtomicInteger calls =
          new java.util.concurrent.atomic.AtomicInteger();
      CompletableFuture<JobDeadline> got = new CompletableFuture<>();
      try (AutoCloseable sub = h.broker.queue().onDeadline(d -> {
        if (calls.incrementAndGet() == 1) {
          throw new IllegalStateException("store away (injected)");
        }
        got.complete(d);
      })) {
        JobDeadline d = new JobDeadline(JobId.generate(Clock.systemUTC()),
            Instant.now().plusMillis(100));
        h.broker.queue().scheduleDeadline(d).join();
        assertThat(got.get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(d);
        assertThat(calls).hasValue(2);
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void aRunTheStoreRefusesForGoodEndsInShortFormAndTheOthersStillEnd() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      registeredButDead(h, "big");
      registeredButDead(h, "ok");
      JobId id = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_all", Duration.ofHours(1))).job().id();
      // "big"'s full end is refused for good (a store's max payload); its short form is taken
      JobStore refusing = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("putRun") && ((RunKey) args[0]).slot().equals("big")
                && !((Run) args[1]).timeline().isEmpty()
                && ((Run) args[1]).error().equals("did not respond within 3600s")) {
              return CompletableFuture.failedFuture(
                  new PermanentStoreException("too large (injected)", null));
            }
            return m.invoke(h.broker.store(), args);
          });
      JobTimeoutService c = service(h, refusing);
      assertThat(c.handle(new JobDeadline(id, Instant.now()))).isEqualTo(2);
      JobView v = h.client.get(id).orElseThrow();
      assertThat(v.status()).isEqualTo(JobStatus.FAILED);
      assertThat(v.workers().get("ok").error()).isEqualTo("did not respond within 3600s");
      assertThat(v.workers().get("big").error()).isEqualTo("did not respond within 3600s;"
          + " the run's history was dropped: too large (injected)");
      assertThat(h.metrics.timedOut()).isEqualTo(2);
    }
  }

  @Test
  void aRefusalOfEvenTheShortFormOrAnUnreadableRecordIsNeverThrown() {
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      registeredButDead(h, "w1");
      JobId id = h.client.create(
          new CreateJobRequest("diag.echo", "{}", "_all", Duration.ofHours(1))).job().id();
      JobStore refusing = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("putRun")) {
              return CompletableFuture.failedFuture(
                  new PermanentStoreException("refused (injected)", null));
            }
            return m.invoke(h.broker.store(), args);
          });
      assertThat(service(h, refusing).handle(new JobDeadline(id, Instant.now()))).isZero();
      JobStore unreadable = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("find")) {
              throw new CorruptRecordException("job record is not valid (injected)", null);
            }
            return m.invoke(h.broker.store(), args);
          });
      assertThat(service(h, unreadable).handle(new JobDeadline(id, Instant.now()))).isZero();
      // the positive control: an outage is still thrown, for the queue to hand it out again
      JobStore away = (JobStore) Proxy.newProxyInstance(getClass().getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("find")) {
              throw new BackendUnavailableException("away (injected)", null);
            }
            return m.invoke(h.broker.store(), args);
          });
      assertThatThrownBy(() -> service(h, away).handle(new JobDeadline(id, Instant.now())))
          .isInstanceOf(BackendUnavailableException.class);
      assertThat(h.metrics.timedOut()).isZero();
    }
  }
}
