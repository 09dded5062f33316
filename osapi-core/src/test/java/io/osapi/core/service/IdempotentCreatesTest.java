package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.memory.InMemoryIdempotencyKeys;
import io.osapi.core.port.IdempotencyKeys;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.IdempotentCreates.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The semantics of creates with an idempotency key on the embedded broker: a repeat is answered
 * the first job and creates nothing, another request with the key is a mismatch, the key of
 * another caller is another key, concurrent repeats create one job, a reservation left by a
 * controller that stopped is completed under its job id, and a refused create frees its key.
 */
class IdempotentCreatesTest {
  private final Harness h = new Harness(BuiltinOperations.registry());
  private final InMemoryIdempotencyKeys keys =
      new InMemoryIdempotencyKeys(Duration.ofHours(24), Clock.systemUTC());
  private final IdempotentCreates creates =
      IdempotentCreates.builder(h.client, keys).build();
  private static final Function<JobView, String> RENDER =
      v -> "{\"job_id\":\"" + v.job().id().value() + "\"}";
  private static final CreateJobRequest ECHO = new CreateJobRequest("diag.echo", "{\"n\":1}",
      null);

  @AfterEach
  void close() {
    h.close();
  }

  private long jobs() {
    return h.client.list(null, 100, 0).total();
  }

  @Test
  void aRepeatIsAnsweredTheFirstJobAndCreatesNothing() {
    IdempotencyKey k = new IdempotencyKey("order-1");
    Outcome.Answer first = (Outcome.Answer) creates.create(k, "alice", ECHO, null, RENDER);
    assertThat(first.replayed()).isFalse();
    assertThat(first.status()).isEqualTo(201);
    assertThat(h.client.get(first.jobId())).isPresent();
    assertThat(jobs()).isEqualTo(1);

    Outcome.Answer again = (Outcome.Answer) creates.create(k, "alice",
        new CreateJobRequest("diag.echo", "{\"n\":1}", null), null, RENDER);
    assertThat(again).isEqualTo(new Outcome.Answer(201, first.body(), first.jobId(), true));
    assertThat(jobs()).isEqualTo(1);

    // positive control: another key creates another job
    Outcome.Answer other = (Outcome.Answer) creates.create(new IdempotencyKey("order-2"),
        "alice", ECHO, null, RENDER);
    assertThat(other.jobId()).isNotEqualTo(first.jobId());
    assertThat(jobs()).isEqualTo(2);
  }

  @Test
  void theKeyWithAnotherRequestIsAMismatchAndCreatesNothing() {
    IdempotencyKey k = new IdempotencyKey("order-1");
    Outcome.Answer first = (Outcome.Answer) creates.create(k, "alice", ECHO, null, RENDER);
    for (CreateJobRequest other : List.of(
        new CreateJobRequest("diag.echo", "{\"n\":2}", null),
        new CreateJobRequest("diag.echo", "{\"n\":1}", "_all"),
        new CreateJobRequest("diag.sleep", "{\"n\":1}", null))) {
      assertThat(creates.create(k, "alice", other, null, RENDER))
          .isEqualTo(new Outcome.Mismatch(first.jobId()));
    }
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  void anotherCallersKeyIsAnotherKey() {
    IdempotencyKey k = new IdempotencyKey("order-1");
    Outcome.Answer alice = (Outcome.Answer) creates.create(k, "alice", ECHO, null, RENDER);
    Outcome.Answer mallory = (Outcome.Answer) creates.create(k, "mallory", ECHO, null, RENDER);
    assertThat(mallory.replayed()).as("no replay of alice's answer").isFalse();
    assertThat(mallory.jobId()).isNotEqualTo(alice.jobId());
    // nor a probe: another request under alice's key name is no mismatch for mallory
    assertThat(creates.create(k, "mallory2", new CreateJobRequest("diag.sleep", null, null),
        null, RENDER)).isInstanceOf(Outcome.Answer.class);
    assertThat(jobs()).isEqualTo(3);
  }

  @Test
  void concurrentRepeatsCreateOneJob() throws Exception {
    IdempotencyKey k = new IdempotencyKey("burst");
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Outcome>> calls = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(() -> creates.create(k, "alice", ECHO, null, RENDER));
      }
      List<JobId> ids = new ArrayList<>();
      int fresh = 0;
      for (Future<Outcome> f : pool.invokeAll(calls)) {
        Outcome.Answer a = (Outcome.Answer) f.get();
        ids.add(a.jobId());
        fresh += a.replayed() ? 0 : 1;
      }
      assertThat(ids).hasSize(8).containsOnly(ids.get(0));
      assertThat(fresh).as("the request that reserved the key is the one not replayed").isEqualTo(1);
      assertThat(jobs()).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aReservationLeftByAStoppedControllerIsCompletedUnderItsJobId() {
    IdempotencyKey k = new IdempotencyKey("crash");
    JobId fixed = JobId.generate(Clock.systemUTC());
    // a controller reserved the key, then stopped before (or after) its create
    keys.create(k.storeKey("alice"), IdempotencyRecord.reservation(IdempotentCreates.requestHash(ECHO),
        fixed, Instant.now()));
    Outcome.Answer a = (Outcome.Answer) creates.create(k, "alice", ECHO, null, RENDER);
    assertThat(a.jobId()).isEqualTo(fixed);
    assertThat(h.client.get(fixed)).isPresent();
    assertThat(jobs()).isEqualTo(1);
    assertThat(keys.get(k.storeKey("alice")).orElseThrow().value().answer()).isEqualTo(a.body());

    // the job created already under the reserved id: completed, not created twice
    IdempotencyKey k2 = new IdempotencyKey("crash-after-create");
    JobId fixed2 = JobId.generate(Clock.systemUTC());
    keys.create(k2.storeKey("alice"), IdempotencyRecord.reservation(
        IdempotentCreates.requestHash(ECHO), fixed2, Instant.now()));
    h.client.createScheduled(ECHO, fixed2, "stand-in", Instant.now()); // stored under the id
    long before = jobs();
    Outcome.Answer b = (Outcome.Answer) creates.create(k2, "alice", ECHO, null, RENDER);
    assertThat(b.jobId()).isEqualTo(fixed2);
    assertThat(jobs()).isEqualTo(before);
  }

  /** Keys whose next {@code outage} calls fail as unavailable. */
  private IdempotencyKeys flaky(java.util.concurrent.atomic.AtomicInteger outage) {
    return new IdempotencyKeys() {
      private void check() {
        if (outage.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
          throw new BackendUnavailableException("keys unavailable", null);
        }
      }

      @Override public Duration window() {
        return keys.window();
      }

      @Override public long create(String key, IdempotencyRecord record) {
        check();
        return keys.create(key, record);
      }

      @Override public java.util.Optional<io.osapi.core.domain.Versioned<IdempotencyRecord>> get(
          String key) {
        check();
        return keys.get(key);
      }

      @Override public long update(String key, IdempotencyRecord record, long revision) {
        check();
        return keys.update(key, record, revision);
      }

      @Override public boolean release(String key, long revision) {
        check();
        return keys.release(key, revision);
      }
    };
  }

  @Test
  void theKeysAreHeldThroughAnOutageForTheCreatePatience() {
    java.util.concurrent.atomic.AtomicInteger outage = new java.util.concurrent.atomic.AtomicInteger();
    IdempotentCreates held = IdempotentCreates.builder(h.client, flaky(outage))
        .createPatience(Duration.ofSeconds(10)).build();
    IdempotentCreates impatient = IdempotentCreates.builder(h.client, flaky(outage))
        .createPatience(Duration.ZERO).build();
    outage.set(3);
    assertThatThrownBy(() -> impatient.create(new IdempotencyKey("k0"), "alice", ECHO, null,
        RENDER)).as("without patience: unavailable at once")
        .isInstanceOf(BackendUnavailableException.class);
    assertThat(jobs()).isZero();
    outage.set(3);
    Outcome.Answer a = (Outcome.Answer) held.create(new IdempotencyKey("k1"), "alice", ECHO,
        null, RENDER);
    assertThat(outage.get()).as("the outage was met").isZero();
    assertThat(a.replayed()).isFalse();
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  void aRefusedCreateFreesItsKey() {
    IdempotencyKey k = new IdempotencyKey("typo");
    assertThatThrownBy(() -> creates.create(k, "alice",
        new CreateJobRequest("no.such.op", null, null), null, RENDER))
        .isInstanceOf(InvalidInputException.class);
    assertThat(keys.get(k.storeKey("alice"))).isEmpty();
    Outcome.Answer fixed = (Outcome.Answer) creates.create(k, "alice", ECHO, null, RENDER);
    assertThat(fixed.replayed()).isFalse();
    assertThat(jobs()).isEqualTo(1);
  }
}
