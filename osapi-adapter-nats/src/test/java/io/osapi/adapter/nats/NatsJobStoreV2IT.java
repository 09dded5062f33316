package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The v2 store on bucket {@code osapi-jobs} of a real server: records and runs by compare-and-set,
 * revisions, statuses from headers, deletes, unreadable values. (The core's store contract runs in
 * {@link NatsJobStoreIT}.)
 */
class NatsJobStoreV2IT {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();

  private JobStore store;

  @BeforeEach
  void clean() {
    NATS.purge(NatsLayout.JOBS_KV_STREAM);
    store = NATS.backend().store();
  }

  static Job job(String target, String data) {
    return new Job(JobId.generate(Clock.systemUTC()), new Operation("diag.echo", data),
        OperationKind.QUERY, Target.parse(target), Instant.now());
  }

  static JobRecord any() {
    return JobRecord.submitted(job("_any", "{}"), List.of());
  }

  static <T> T await(CompletableFuture<T> f) throws Exception {
    return f.get(10, TimeUnit.SECONDS);
  }

  static Throwable failure(CompletableFuture<?> f) throws Exception {
    try {
      f.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected the write to fail");
  }

  @Test
  void aRecordReadsBackAsWrittenWithItsRevisionAndBigDataKeptByteForByte() throws Exception {
    StringBuilder data = new StringBuilder("{\"blob\": \"");
    while (data.length() < 60_000) {
      data.append("é\\\"x\\u00e9 ");
    }
    data.append("\", \"n\": 1.50 }");
    JobRecord r = JobRecord.submitted(job("_all", data.toString()), List.of("w1", "web01.example"));
    long rev = await(store.create(r));
    assertThat(rev).isPositive();
    Versioned<JobRecord> back = store.find(r.job().id()).orElseThrow();
    assertThat(back.revision()).isEqualTo(rev);
    assertThat(back.value()).isEqualTo(r);
    assertThat(back.value().job().operation().data()).isEqualTo(data.toString());
    assertThat(store.find(JobId.generate(Clock.systemUTC()))).isEmpty();
  }

  @Test
  void aSecondCreateAndAStaleUpdateConflict() throws Exception {
    JobRecord r = any();
    long rev = await(store.create(r));
    assertThat(failure(store.create(r))).isInstanceOf(RevisionConflictException.class);
    JobRecord retried = r.with(new io.osapi.core.domain.TimelineEntry(Instant.now(), "retried",
        "_api", "retried", null));
    long rev2 = await(store.update(retried, rev));
    assertThat(rev2).isGreaterThan(rev);
    assertThat(failure(store.update(retried, rev))).isInstanceOf(RevisionConflictException.class);
    assertThat(store.find(r.job().id()).orElseThrow()).isEqualTo(new Versioned<>(retried, rev2));
  }

  @Test
  void runsChangeOnlyFromTheStoredRevision() throws Exception {
    JobRecord r = any();
    await(store.create(r));
    RunKey key = RunKey.any(r.job().id());
    assertThat(store.run(key)).isEmpty();
    Run claimed = Run.claim(null, "w1", 1, Instant.now());
    long r1 = await(store.putRun(key, claimed, 0));
    assertThat(failure(store.putRun(key, Run.claim(null, "w2", 1, Instant.now()), 0)))
        .isInstanceOf(RevisionConflictException.class);
    Run done = claimed.finish(RunState.COMPLETED, "{\"ok\": true}", null, false, Instant.now());
    long r2 = await(store.putRun(key, done, r1));
    assertThat(r2).isGreaterThan(r1);
    assertThat(failure(store.putRun(key, done, r1))).isInstanceOf(RevisionConflictException.class);
    assertThat(store.run(key).orElseThrow()).isEqualTo(new Versioned<>(done, r2));
    assertThat(store.runs(r)).isEqualTo(Map.of(key, done));
  }

  @Test
  void writesPipelineAcrossJobs() throws Exception {
    List<JobRecord> records = new ArrayList<>();
    List<CompletableFuture<Long>> writes = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      JobRecord r = any();
      records.add(r);
      writes.add(store.create(r));
    }
    for (CompletableFuture<Long> w : writes) {
      assertThat(await(w)).isPositive();
    }
    List<CompletableFuture<Long>> claims = new ArrayList<>();
    for (JobRecord r : records) {
      claims.add(store.putRun(RunKey.any(r.job().id()), Run.claim(null, "w1", 1, Instant.now()), 0));
    }
    for (CompletableFuture<Long> c : claims) {
      assertThat(await(c)).isPositive();
    }
    assertThat(Fixtures.statuses(store)).hasSize(500).containsOnlyKeys(
        records.stream().map(r -> r.job().id()).toList());
    assertThat(Fixtures.statuses(store).values()).containsOnly(JobStatus.PROCESSING);
  }

  @Test
  void statusesComeFromTheRunsNewestFirst() throws Exception {
    Instant now = Instant.now();
    JobRecord waiting = any();
    JobRecord running = any();
    JobRecord released = any();
    JobRecord completed = any();
    JobRecord failed = any();
    JobRecord partial = JobRecord.submitted(job("_all", "{}"), List.of("w1", "w2"));
    JobRecord half = JobRecord.submitted(job("group:web", "{}"), List.of("w1", "w.2"));
    List<JobRecord> all = List.of(waiting, running, released, completed, failed, partial, half);
    for (JobRecord r : all) {
      await(store.create(r));
    }
    Run claim1 = Run.claim(null, "w1", 1, now);
    await(store.putRun(RunKey.any(running.job().id()), claim1, 0));
    await(store.putRun(RunKey.any(released.job().id()), claim1.release("busy", now), 0));
    await(store.putRun(RunKey.any(completed.job().id()),
        claim1.finish(RunState.COMPLETED, "1", null, false, now), 0));
    await(store.putRun(RunKey.any(failed.job().id()), Run.deadLetter(null, "gone", now), 0));
    await(store.putRun(RunKey.of(partial.job().id(), "w1"),
        claim1.finish(RunState.COMPLETED, "1", null, false, now), 0));
    await(store.putRun(RunKey.of(partial.job().id(), "w2"),
        Run.claim(null, "w2", 1, now).finish(RunState.FAILED, null, "boom", false, now), 0));
    await(store.putRun(RunKey.of(half.job().id(), "w.2"),
        Run.claim(null, "w.2", 1, now).finish(RunState.COMPLETED, "2", null, false, now), 0));

    Map<JobId, JobStatus> st = Fixtures.statuses(store);
    List<JobId> newestFirst = new ArrayList<>(all.stream().map(r -> r.job().id()).toList());
    java.util.Collections.reverse(newestFirst);
    assertThat(st.keySet()).containsExactlyElementsOf(newestFirst);
    assertThat(st.values()).containsExactly(JobStatus.PROCESSING, JobStatus.PARTIAL_FAILURE,
        JobStatus.FAILED, JobStatus.COMPLETED, JobStatus.SUBMITTED, JobStatus.PROCESSING,
        JobStatus.SUBMITTED);
    assertThat(store.runs(half)).containsOnlyKeys(RunKey.of(half.job().id(), "w.2"));
  }

  @Test
  void deleteRemovesTheRecordAndItsRuns() throws Exception {
    JobRecord r = JobRecord.submitted(job("_all", "{}"), List.of("w1", "w2"));
    await(store.create(r));
    await(store.putRun(RunKey.of(r.job().id(), "w1"), Run.claim(null, "w1", 1, Instant.now()), 0));
    JobRecord other = any();
    await(store.create(other));

    assertThat(store.delete(r.job().id())).isTrue();
    assertThat(store.find(r.job().id())).isEmpty();
    assertThat(store.run(RunKey.of(r.job().id(), "w1"))).isEmpty();
    assertThat(Fixtures.statuses(store)).containsOnlyKeys(other.job().id());
    assertThat(store.delete(r.job().id())).isFalse();
    // a run can be created again from nothing: the keys hold purge markers, and a create is made over one
    await(store.putRun(RunKey.of(r.job().id(), "w1"), Run.claim(null, "w1", 2, Instant.now()), 0));
  }

  /**
   * A run write carries the revision it expects in one header, put by the store itself (not
   * merged in by jnats), and a create over a purge marker names the marker's sequence in its
   * place, not beside it.
   */
  @Test
  void aRunWriteNamesTheExpectedRevisionOnceOnTheWire() throws Exception {
    JobRecord r = any();
    await(store.create(r));
    RunKey key = RunKey.any(r.job().id());
    io.nats.client.Subscription wire =
        NATS.backend().requireSession().conn.subscribe(NatsLayout.runSubject(key));
    NATS.backend().requireSession().conn.flush(java.time.Duration.ofSeconds(5));
    long rev = await(store.putRun(key, Run.claim(null, "w1", 1, Instant.now()), 0));
    await(store.putRun(key, Run.claim(null, "w1", 1, Instant.now())
        .finish(RunState.COMPLETED, "{}", null, false, Instant.now()), rev));
    io.nats.client.Message claim = nextWrite(wire);
    io.nats.client.Message end = nextWrite(wire);
    assertThat(claim.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).containsExactly("0");
    assertThat(end.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE))
        .containsExactly(Long.toString(rev));
    assertThat(end.getHeaders().getFirst(NatsHeaders.STATE_HEADER)).isEqualTo("completed");

    assertThat(store.delete(r.job().id())).isTrue();
    long again = await(store.putRun(key, Run.claim(null, "w2", 2, Instant.now()), 0));
    io.nats.client.Message refused = nextWrite(wire);
    io.nats.client.Message overMarker = nextWrite(wire);
    assertThat(refused.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).containsExactly("0");
    assertThat(overMarker.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).hasSize(1)
        .doesNotContain("0");
    assertThat(store.run(key)).contains(new Versioned<>(
        store.run(key).orElseThrow().value(), again));
    wire.unsubscribe();
  }

  @Test
  void aRecordWriteNamesTheExpectedRevisionOnceOnTheWireWithItsHeadersSealed() throws Exception {
    JobRecord r = any();
    String subject = NatsLayout.jobSubject(r.job().id());
    io.nats.client.Subscription wire = NATS.backend().requireSession().conn.subscribe(subject);
    NATS.backend().requireSession().conn.flush(java.time.Duration.ofSeconds(5));
    long rev = await(store.create(r));
    await(store.update(r, rev));
    io.nats.client.Message create = nextRecordWrite(wire);
    io.nats.client.Message update = nextRecordWrite(wire);
    assertThat(create.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).containsExactly("0");
    assertThat(update.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE))
        .containsExactly(Long.toString(rev));
    assertThat(create.getHeaders().getFirst(NatsHeaders.OPERATION_HEADER))
        .isEqualTo(r.job().operation().type());

    // created again over the delete's purge marker: the marker's sequence, once, instead of 0
    assertThat(store.delete(r.job().id())).isTrue();
    long again = await(store.create(r));
    io.nats.client.Message refused = nextRecordWrite(wire);
    io.nats.client.Message overMarker = nextRecordWrite(wire);
    assertThat(refused.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).containsExactly("0");
    assertThat(overMarker.getHeaders().get(NatsJobStore.EXPECTED_SEQUENCE)).hasSize(1)
        .doesNotContain("0");
    assertThat(store.find(r.job().id()).orElseThrow().revision()).isEqualTo(again);
    wire.unsubscribe();
  }

  /** The next run write seen on the subject (the delete's purge markers skipped). */
  private static io.nats.client.Message nextWrite(io.nats.client.Subscription wire)
      throws InterruptedException {
    return nextWrite(wire, NatsHeaders.STATE_HEADER);
  }

  /** The next record write seen on the subject (the delete's purge markers skipped). */
  private static io.nats.client.Message nextRecordWrite(io.nats.client.Subscription wire)
      throws InterruptedException {
    return nextWrite(wire, NatsHeaders.OPERATION_HEADER);
  }

  /** The next write on the subject that carries {@code header}. */
  private static io.nats.client.Message nextWrite(io.nats.client.Subscription wire, String header)
      throws InterruptedException {
    while (true) {
      io.nats.client.Message m = wire.nextMessage(java.time.Duration.ofSeconds(5));
      assertThat(m).as("a write on the wire").isNotNull();
      if (m.getHeaders() != null && m.getHeaders().get(header) != null) {
        return m;
      }
    }
  }

  @Test
  void unreadableValuesAreCorruptAndCanBeDeleted() throws Exception {
    JobId id = JobId.generate(Clock.systemUTC());
    var kv = NATS.backend().requireSession().jobsKv;
    kv.put(NatsLayout.jobKey(id), "{\"id\": 1".getBytes(StandardCharsets.UTF_8));
    kv.put(NatsLayout.runKey(RunKey.any(id)), "[]".getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> store.find(id))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining(id.value());
    assertThatThrownBy(() -> store.run(RunKey.any(id))).isInstanceOf(CorruptRecordException.class);

    // a record of the v1 store (no format version) is not read as v2
    JobId v1 = JobId.generate(Clock.systemUTC());
    kv.put(NatsLayout.jobKey(v1), ("{\"id\":\"" + v1 + "\",\"created\":\"2026-01-01T00:00:00Z\","
        + "\"kind\":\"query\",\"target\":\"_any\",\"operation\":{\"type\":\"a.b\",\"data\":{}}}")
        .getBytes(StandardCharsets.UTF_8));
    assertThatThrownBy(() -> store.find(v1))
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("format version");

    assertThat(store.delete(id)).isTrue();
    assertThat(store.find(id)).isEmpty();
    assertThat(store.run(RunKey.any(id))).isEmpty();
  }
}
