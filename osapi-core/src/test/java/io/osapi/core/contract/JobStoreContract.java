package io.osapi.core.contract;

import static io.osapi.core.contract.Fixtures.await;
import static io.osapi.core.contract.Fixtures.failure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.osapi.core.port.Broker;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.JobIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} must do: records and runs stored by key, changed only by
 * compare-and-set on their revision. An adapter's test extends this class and supplies the store
 * under test; the store need not be empty (every test uses new job ids and looks only at its own
 * jobs), so the same kit runs against a shared server.
 */
public abstract class JobStoreContract {
  /** The store under test, from {@link #newStore()} before each test. */
  protected JobStore store;

  /** The store to test; it may hold jobs of earlier tests. */
  protected abstract JobStore newStore();

  @BeforeEach
  void setUpStore() {
    store = newStore();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  private long create(JobRecord record) {
    return await(store.create(record));
  }

  private long put(RunKey key, Run run, long revision) {
    return await(store.putRun(key, run, revision));
  }

  private static Run claim(String worker) {
    return Run.claim(null, worker, 1, now());
  }

  @Test
  void aCreatedRecordIsReadBackExactlyWithItsRevision() {
    Job job = Fixtures.job("group:web.dev", OperationKind.MODIFY,
        "{\"path\":\"/etc/hosts\",\"lines\":[1,2,3],\"note\":\"caf\u00e9 \\\"quoted\\\"\"}");
    JobRecord record = JobRecord.submitted(job, List.of("web01.example.com", "w2"))
        .with(new TimelineEntry(now(), "retried", "_api", "retried by ops", "why: \"x\"\n\u00fc"));
    long revision = create(record);
    assertThat(revision).isPositive();
    assertThat(store.find(job.id())).contains(new Versioned<>(record, revision));

    JobRecord any = Fixtures.anyRecord();
    long anyRevision = create(any);
    assertThat(store.find(any.job().id())).contains(new Versioned<>(any, anyRevision));
  }

  @Test
  void writesFailThroughTheirFutureNeverByThrowing() {
    JobRecord r = Fixtures.anyRecord();
    long rev = create(r);
    RunKey key = RunKey.any(r.job().id());
    // bad revisions: the call returns, its future fails (the port's contract, in the type)
    CompletableFuture<Long> badRun = store.putRun(key, claim("w1"), -1);
    CompletableFuture<Long> badUpdate = store.update(r, 0);
    assertThat(badRun).isCompletedExceptionally();
    assertThat(badUpdate).isCompletedExceptionally();
    assertThat(failure(() -> badRun)).isInstanceOf(IllegalArgumentException.class);
    // a conflict too (positive control: the same calls with good revisions succeed)
    CompletableFuture<Long> conflict = store.update(r, rev + 1000);
    assertThat(failure(() -> conflict)).isInstanceOf(RevisionConflictException.class);
    assertThat(await(store.update(r, rev))).isGreaterThan(rev);
    assertThat(put(key, claim("w1"), 0)).isPositive();
  }

  @Test
  void unknownJobsAndRunsAreEmpty() {
    JobRecord never = Fixtures.broadcastRecord("_all", "w1");
    assertThat(store.find(never.job().id())).isEmpty();
    assertThat(store.run(RunKey.any(JobId.generate(Clock.systemUTC())))).isEmpty();
    assertThat(store.runs(never)).isEmpty();
    assertThat(Fixtures.statuses(store)).doesNotContainKey(never.job().id());
  }

  @Test
  void creatingAJobTwiceConflictsAndKeepsTheFirst() {
    JobRecord record = Fixtures.anyRecord();
    long revision = create(record);
    JobRecord other = record.with(new TimelineEntry(now(), "retried", "_api", "again", null));
    assertThat(failure(() -> store.create(other))).isInstanceOf(RevisionConflictException.class);
    assertThat(store.find(record.job().id())).contains(new Versioned<>(record, revision));
  }

  @Test
  void aRunIsCreatedAtRevisionZeroThenChangedFromItsRevision() {
    JobRecord record = Fixtures.anyRecord();
    create(record);
    RunKey key = RunKey.any(record.job().id());
    Run claimed = claim("w1");
    long r1 = put(key, claimed, 0);
    assertThat(r1).isPositive();
    assertThat(store.run(key)).contains(new Versioned<>(claimed, r1));

    Run done = claimed.finish(RunState.COMPLETED, "{\"hostname\":\"web01\"}", null, false, now());
    long r2 = put(key, done, r1);
    assertThat(r2).isGreaterThan(r1);
    assertThat(store.run(key)).contains(new Versioned<>(done, r2));
  }

  @Test
  void aRunReadWithoutHoldingTheCallerIsTheRunReadWithIt() throws Exception {
    JobRecord record = Fixtures.anyRecord();
    create(record);
    RunKey key = RunKey.any(record.job().id());
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      assertThat(store.runAsync(key, pool).get(10, TimeUnit.SECONDS))
          .as("never claimed").isEmpty();
      Run claimed = claim("w1");
      long r1 = put(key, claimed, 0);
      assertThat(store.runAsync(key, pool).get(10, TimeUnit.SECONDS))
          .contains(new Versioned<>(claimed, r1)).isEqualTo(store.run(key));
      Run done = claimed.finish(RunState.COMPLETED, "{\"n\":1}", null, false, now());
      long r2 = put(key, done, r1);
      assertThat(store.runAsync(key, pool).get(10, TimeUnit.SECONDS))
          .contains(new Versioned<>(done, r2));
      assertThat(store.delete(record.job().id())).isTrue();
      assertThat(store.runAsync(key, pool).get(10, TimeUnit.SECONDS))
          .as("deleted with its job").isEmpty();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aStaleRevisionConflictsAndChangesNothing() {
    JobRecord record = Fixtures.anyRecord();
    create(record);
    RunKey key = RunKey.any(record.job().id());
    Run claimed = claim("w1");
    long r1 = put(key, claimed, 0);
    Run takenOver = Run.claim(claimed, "w2", 2, now());
    long r2 = put(key, takenOver, r1);

    Run late = claimed.finish(RunState.FAILED, null, "boom", false, now());
    assertThat(failure(() -> store.putRun(key, late, r1)))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(failure(() -> store.putRun(key, claim("w3"), 0)))
        .as("a create over an existing run")
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.run(key)).contains(new Versioned<>(takenOver, r2));

    RunKey absent = RunKey.any(Fixtures.job("_any").id());
    assertThat(failure(() -> store.putRun(absent, claim("w1"), r2)))
        .as("a compare-and-set on a run that does not exist")
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.run(absent)).isEmpty();
  }

  @Test
  void revisionsGrowWithEveryWrite() {
    JobRecord record = Fixtures.anyRecord();
    long revision = create(record);
    RunKey key = RunKey.any(record.job().id());
    Run run = claim("w1");
    long runRevision = put(key, run, 0);
    for (int i = 2; i <= 5; i++) {
      run = run.release("transient " + i, now());
      run = Run.claim(run, "w1", i, now());
      long next = put(key, run, runRevision);
      assertThat(next).isGreaterThan(runRevision);
      runRevision = next;
      JobRecord retried = record.with(new TimelineEntry(now(), "retried", "_api", "n" + i, null));
      long nextRecord = await(store.update(retried, revision));
      assertThat(nextRecord).isGreaterThan(revision);
      revision = nextRecord;
    }
    assertThat(store.run(key).orElseThrow().revision()).isEqualTo(runRevision);
    assertThat(store.find(record.job().id()).orElseThrow().revision()).isEqualTo(revision);
  }

  @Test
  void aRecordIsUpdatedByCompareAndSet() {
    JobRecord record = Fixtures.broadcastRecord("_all", "w1", "w2");
    long r1 = create(record);
    JobRecord retried = record.with(new TimelineEntry(now(), "retried", "_api", "retried", null));
    long r2 = await(store.update(retried, r1));
    assertThat(r2).isGreaterThan(r1);
    assertThat(store.find(record.job().id())).contains(new Versioned<>(retried, r2));

    JobRecord stale = record.with(new TimelineEntry(now(), "retried", "_api", "stale", null));
    assertThat(failure(() -> store.update(stale, r1)))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.find(record.job().id())).contains(new Versioned<>(retried, r2));

    JobRecord never = Fixtures.anyRecord();
    assertThat(failure(() -> store.update(never, r2)))
        .as("an update of a job that does not exist")
        .isInstanceOf(RevisionConflictException.class);
    assertThat(store.find(never.job().id())).isEmpty();
  }

  @Test
  void aCancelIsStoredInTheRecordAndRunsEndCancelledBeforeOrWhileRunning() {
    JobRecord record = Fixtures.broadcastRecord("_all", "w1", "w2", "w3");
    JobId id = record.job().id();
    long r1 = create(record);
    Run done = claim("w1").finish(RunState.COMPLETED, "{\"n\":1}", null, false, now());
    put(RunKey.of(id, "w1"), done, 0);
    long running = put(RunKey.of(id, "w2"), claim("w2"), 0);
    JobRecord cancelled = record.cancel("alice", now());
    long r2 = await(store.update(cancelled, r1));
    assertThat(store.find(id)).contains(new Versioned<>(cancelled, r2));
    assertThat(store.find(id).orElseThrow().value().cancelRequested()).isNotNull();

    Run stopped = Run.cancelled(store.run(RunKey.of(id, "w2")).orElseThrow().value(), "alice",
        now());
    put(RunKey.of(id, "w2"), stopped, running);
    Run never = Run.cancelled(null, "alice", now());
    put(RunKey.of(id, "w3"), never, 0);
    assertThat(store.runs(cancelled)).containsOnly(Map.entry(RunKey.of(id, "w1"), done),
        Map.entry(RunKey.of(id, "w2"), stopped), Map.entry(RunKey.of(id, "w3"), never));
    assertThat(failure(() -> store.putRun(RunKey.of(id, "w3"), claim("w3"), 0)))
        .as("a worker's claim of a run cancelled before it started")
        .isInstanceOf(RevisionConflictException.class);
    assertThat(Fixtures.statuses(store)).containsEntry(id, JobStatus.CANCELLED);
    assertThat(JobView.of(cancelled, store.runs(cancelled)).status())
        .isEqualTo(JobStatus.CANCELLED);
  }

  @Test
  void runsOfAnAnyJob() {
    JobRecord record = Fixtures.anyRecord();
    create(record);
    assertThat(store.runs(record)).isEmpty();
    Run claimed = claim("w1");
    put(RunKey.any(record.job().id()), claimed, 0);
    assertThat(store.runs(record)).containsExactly(Map.entry(RunKey.any(record.job().id()), claimed));
  }

  @Test
  void runsOfABroadcastJobAreThoseOfItsExpectedWorkersThatExist() {
    JobRecord record = Fixtures.broadcastRecord("_all", "w1", "web02.example.com", "w3");
    JobId id = record.job().id();
    create(record);
    Run one = claim("w1").finish(RunState.COMPLETED, "{\"n\":1}", null, false, now());
    Run two = claim("web02.example.com");
    put(RunKey.of(id, "w1"), one, 0);
    put(RunKey.of(id, "web02.example.com"), two, 0);
    put(RunKey.of(id, "unexpected"), claim("unexpected"), 0);
    assertThat(store.runs(record)).containsOnly(
        Map.entry(RunKey.of(id, "w1"), one), Map.entry(RunKey.of(id, "web02.example.com"), two));
    assertThat(store.run(RunKey.of(id, "w3"))).isEmpty();
  }

  @Test
  void statusesFollowTheRunsNewestFirst() {
    List<JobId> created = new ArrayList<>();
    JobRecord submitted = Fixtures.anyRecord();
    JobRecord released = Fixtures.anyRecord();
    JobRecord processing = Fixtures.anyRecord();
    JobRecord completed = Fixtures.anyRecord();
    JobRecord failed = Fixtures.anyRecord();
    JobRecord partial = Fixtures.broadcastRecord("_all", "w1", "w2");
    JobRecord broadcastRunning = Fixtures.broadcastRecord("group:web", "w1", "w2");
    JobRecord broadcastWaiting = Fixtures.broadcastRecord("_all", "w1", "w2");
    for (JobRecord r : List.of(submitted, released, processing, completed, failed, partial,
        broadcastRunning, broadcastWaiting)) {
      create(r);
      created.add(r.job().id());
    }
    put(RunKey.any(released.job().id()), claim("w1").release("shutting down", now()), 0);
    put(RunKey.any(processing.job().id()), claim("w1"), 0);
    put(RunKey.any(completed.job().id()),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0);
    put(RunKey.any(failed.job().id()),
        claim("w1").finish(RunState.FAILED, null, "boom", false, now()), 0);
    put(RunKey.of(partial.job().id(), "w1"),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0);
    put(RunKey.of(partial.job().id(), "w2"),
        claim("w2").finish(RunState.FAILED, null, "disk", false, now()), 0);
    put(RunKey.of(broadcastRunning.job().id(), "w1"),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0);

    Map<JobId, JobStatus> statuses = Fixtures.statuses(store);
    assertThat(statuses).contains(
        Map.entry(submitted.job().id(), JobStatus.SUBMITTED),
        Map.entry(released.job().id(), JobStatus.SUBMITTED),
        Map.entry(processing.job().id(), JobStatus.PROCESSING),
        Map.entry(completed.job().id(), JobStatus.COMPLETED),
        Map.entry(failed.job().id(), JobStatus.FAILED),
        Map.entry(partial.job().id(), JobStatus.PARTIAL_FAILURE),
        Map.entry(broadcastRunning.job().id(), JobStatus.PROCESSING),
        Map.entry(broadcastWaiting.job().id(), JobStatus.SUBMITTED));
    List<JobId> newestFirst = new ArrayList<>(created);
    Collections.reverse(newestFirst);
    assertThat(new ArrayList<>(statuses.keySet())).containsSubsequence(newestFirst);
    for (JobId id : created) {
      Versioned<JobRecord> r = store.find(id).orElseThrow();
      assertThat(statuses.get(id)).as("the listed status of %s is its detail's", id)
          .isEqualTo(JobView.of(r.value(), store.runs(r.value())).status());
    }
  }

  @Test
  void deleteRemovesTheRecordAndItsRuns() {
    JobRecord any = Fixtures.anyRecord();
    JobRecord broadcast = Fixtures.broadcastRecord("_all", "w1", "w2");
    JobRecord kept = Fixtures.anyRecord();
    create(any);
    create(broadcast);
    create(kept);
    put(RunKey.any(any.job().id()), claim("w1"), 0);
    put(RunKey.of(broadcast.job().id(), "w1"), claim("w1"), 0);
    put(RunKey.of(broadcast.job().id(), "w2"), claim("w2"), 0);
    Run keptRun = claim("w1");
    long keptRevision = put(RunKey.any(kept.job().id()), keptRun, 0);

    assertThat(store.delete(any.job().id())).isTrue();
    assertThat(store.delete(broadcast.job().id())).isTrue();
    assertThat(store.find(any.job().id())).isEmpty();
    assertThat(store.run(RunKey.any(any.job().id()))).isEmpty();
    assertThat(store.runs(any)).isEmpty();
    assertThat(store.find(broadcast.job().id())).isEmpty();
    assertThat(store.runs(broadcast)).isEmpty();
    assertThat(Fixtures.statuses(store)).doesNotContainKeys(any.job().id(), broadcast.job().id())
        .containsKey(kept.job().id());
    assertThat(store.run(RunKey.any(kept.job().id())))
        .contains(new Versioned<>(keptRun, keptRevision));
    assertThat(store.delete(any.job().id())).isFalse();

    assertThat(put(RunKey.any(any.job().id()), claim("w9"), 0))
        .as("a deleted run can be created again")
        .isPositive();
  }

  @Test
  void fullTimelinesAreKept() {
    JobRecord record = Fixtures.anyRecord();
    for (int i = 0; i < Run.MAX_TIMELINE + 4; i++) {
      record = record.with(new TimelineEntry(now(), "retried", "_api", "retry " + i, null));
    }
    assertThat(record.timeline()).hasSize(Run.MAX_TIMELINE);
    long revision = create(record);
    assertThat(store.find(record.job().id())).contains(new Versioned<>(record, revision));

    Run run = claim("w1");
    for (int i = 2; i < Run.MAX_TIMELINE + 6; i++) {
      run = Run.claim(run.release("transient " + i, now()), "w1", i, now());
    }
    assertThat(run.timeline()).hasSize(Run.MAX_TIMELINE);
    RunKey key = RunKey.any(record.job().id());
    long runRevision = put(key, run, 0);
    assertThat(store.run(key)).contains(new Versioned<>(run, runRevision));
  }

  @Test
  void largeDataRoundTrips() {
    String blob = "x".repeat(64 * 1024);
    Job job = Fixtures.job("_any", OperationKind.MODIFY, "{\"blob\":\"" + blob + "\"}");
    JobRecord record = JobRecord.submitted(job, List.of());
    long revision = create(record);
    assertThat(store.find(job.id())).contains(new Versioned<>(record, revision));

    RunKey key = RunKey.any(job.id());
    Run claimed = claim("w1");
    long r1 = put(key, claimed, 0);
    Run done = claimed.finish(RunState.COMPLETED, "{\"out\":\"" + blob + "\"}", null, false, now());
    long r2 = put(key, done, r1);
    assertThat(store.run(key)).contains(new Versioned<>(done, r2));
  }

  @Test
  void ofConcurrentClaimsExactlyOneWins() throws Exception {
    JobRecord record = Fixtures.anyRecord();
    create(record);
    RunKey key = RunKey.any(record.job().id());
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Throwable>> outcomes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        Run mine = claim("w" + i);
        outcomes.add(pool.submit(() -> {
          go.await();
          return failure(() -> store.putRun(key, mine, 0));
        }));
      }
      go.countDown();
      int won = 0;
      int conflicts = 0;
      for (Future<Throwable> f : outcomes) {
        Throwable t = f.get(30, TimeUnit.SECONDS);
        if (t == null) {
          won++;
        } else if (t instanceof RevisionConflictException) {
          conflicts++;
        } else {
          throw new AssertionError("a claim failed otherwise", t);
        }
      }
      assertThat(won).isEqualTo(1);
      assertThat(conflicts).isEqualTo(n - 1);
      assertThat(store.run(key)).hasValueSatisfying(v ->
          assertThat(v.value().state()).isEqualTo(RunState.RUNNING));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void pipelinedWritesAreAllThereWhenTheirFuturesComplete() {
    List<JobRecord> records = new ArrayList<>();
    List<CompletableFuture<Long>> creates = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      JobRecord r = Fixtures.anyRecord();
      records.add(r);
      creates.add(store.create(r));
    }
    await(CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)));
    List<CompletableFuture<Long>> claims = new ArrayList<>();
    for (JobRecord r : records) {
      claims.add(store.putRun(RunKey.any(r.job().id()), claim("w1"), 0));
    }
    await(CompletableFuture.allOf(claims.toArray(CompletableFuture[]::new)));
    for (int i = 0; i < records.size(); i++) {
      JobRecord r = records.get(i);
      assertThat(store.find(r.job().id()).orElseThrow().revision()).isEqualTo(creates.get(i).join());
      assertThat(store.run(RunKey.any(r.job().id())).orElseThrow().revision())
          .isEqualTo(claims.get(i).join());
    }
  }

  // ---- what a job index sees (the listings)

  /**
   * A store like {@link #newStore()} whose values leave {@code retention} after their last write,
   * or null when the test cannot make one (its retention tests are skipped).
   */
  protected JobStore newStoreWithRetention(Duration retention) {
    return null;
  }

  private final List<JobIndex> indexes = new ArrayList<>();

  private JobIndex index(JobStore s) {
    JobIndex i = Fixtures.caughtUpIndex(s);
    indexes.add(i);
    return i;
  }

  @AfterEach
  void closeIndexes() {
    indexes.forEach(JobIndex::close);
    indexes.clear();
  }

  private static void within(Duration d, String what, BooleanSupplier cond) {
    assertThat(Fixtures.eventually(d, cond)).as(what + " within " + d).isTrue();
  }

  @Test
  void aWatchingIndexFollowsWritesDeletesAndAgreesWithAFreshReplay() {
    JobIndex live = index(store);
    long before = live.stats().total();
    JobRecord a = Fixtures.anyRecord();
    JobRecord b = Fixtures.broadcastRecord("_all", "w1", "w2");
    JobRecord c = Fixtures.anyRecord();
    create(a);
    create(b);
    create(c);
    long ra = put(RunKey.any(a.job().id()), claim("w1"), 0);
    put(RunKey.of(b.job().id(), "w1"),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0);
    put(RunKey.of(b.job().id(), "w2"),
        claim("w2").finish(RunState.FAILED, null, "disk", false, now()), 0);
    within(Duration.ofSeconds(1), "the index sees the writes", () ->
        live.status(a.job().id()) == JobStatus.PROCESSING
            && live.status(b.job().id()) == JobStatus.PARTIAL_FAILURE
            && live.status(c.job().id()) == JobStatus.SUBMITTED);
    put(RunKey.any(a.job().id()),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), ra);
    assertThat(store.delete(c.job().id())).isTrue();
    within(Duration.ofSeconds(1), "the index sees the end and the delete", () ->
        live.status(a.job().id()) == JobStatus.COMPLETED && live.status(c.job().id()) == null);
    assertThat(live.stats().total()).isEqualTo(before + 2);

    JobIndex fresh = index(store);
    assertThat(fresh.stats()).as("a second controller's view").isEqualTo(live.stats());
    for (JobStatus s : new JobStatus[] {null, JobStatus.COMPLETED, JobStatus.PARTIAL_FAILURE}) {
      assertThat(fresh.page(s, 100, 0, null)).isEqualTo(live.page(s, 100, 0, null));
    }
    assertThat(fresh.page(null, 2, 0, null).ids()).startsWith(b.job().id(), a.job().id());
  }

  /**
   * A watch tells of a write only once a read sees it: a client that reads a job on hearing it
   * end ({@code JobClient.whenDone}) must read the end, not the claim before it. The listener
   * reads on the delivery thread, as soon as it can.
   */
  @Test
  void aWriteIsHeardOnlyOnceAReadSeesIt() {
    JobRecord record = Fixtures.anyRecord();
    JobId id = record.job().id();
    RunKey key = RunKey.any(id);
    List<String> heard = Collections.synchronizedList(new ArrayList<>());
    List<String> stale = Collections.synchronizedList(new ArrayList<>());
    try (var w = store.watch(new JobWatch.Listener() {
      @Override
      public void recordWritten(JobId job, JobWatch.RecordFacts facts,
          long writtenMillis) {
        if (job.equals(id)) {
          Optional<Versioned<JobRecord>> read = store.find(id);
          if (read.isEmpty()
              || !JobWatch.RecordFacts.of(read.get().value()).equals(facts)) {
            stale.add("record: heard " + facts + ", read " + read);
          }
          heard.add("record");
        }
      }

      @Override
      public void runWritten(RunKey run, RunState state, String worker, long updatedNanos) {
        if (run.job().equals(id)) {
          Optional<Versioned<Run>> read = store.run(run);
          if (read.isEmpty() || read.get().value().state() != state) {
            stale.add("run: heard " + state + ", read " + read.map(v -> v.value().state()));
          }
          heard.add("run " + state);
        }
      }

      @Override
      public void recordDeleted(JobId job) {
        if (job.equals(id)) {
          if (store.find(id).isPresent()) {
            stale.add("record delete: the record is still there");
          }
          heard.add("record deleted");
        }
      }

      @Override
      public void runDeleted(RunKey run) {
        if (run.job().equals(id)) {
          if (store.run(run).isPresent()) {
            stale.add("run delete: the run is still there");
          }
          heard.add("run deleted");
        }
      }

      @Override
      public void caughtUp() {}
    })) {
      long r1 = create(record);
      within(Duration.ofSeconds(5), "the create is heard", () -> heard.contains("record"));
      long run = put(key, claim("w1"), 0);
      within(Duration.ofSeconds(5), "the claim is heard",
          () -> heard.contains("run " + RunState.RUNNING));
      put(key, claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), run);
      within(Duration.ofSeconds(5), "the end is heard",
          () -> heard.contains("run " + RunState.COMPLETED));
      await(store.update(
          record.with(new TimelineEntry(now(), "retried", "_api", "retried", null)), r1));
      within(Duration.ofSeconds(5), "the update is heard",
          () -> heard.stream().filter("record"::equals).count() == 2);
      assertThat(store.delete(id)).isTrue();
      within(Duration.ofSeconds(5), "the delete is heard",
          () -> heard.contains("record deleted"));
    }
    assertThat(stale).as("writes heard before a read saw them").isEmpty();
  }

  @Test
  void pagesByOffsetAndByCursorAgree() {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      JobRecord r = Fixtures.anyRecord();
      create(r);
      ids.add(0, r.job().id()); // newest first
      if (i % 3 == 0) {
        put(RunKey.any(r.job().id()),
            claim("w1").finish(RunState.FAILED, null, "x", false, now()), 0);
      }
    }
    JobIndex index = index(store);
    List<JobId> byOffset = new ArrayList<>();
    List<JobId> byCursor = new ArrayList<>();
    JobId after = null;
    for (int page = 0; page < 4; page++) {
      byOffset.addAll(index.page(null, 8, page * 8L, null).ids());
      JobIndex.Slice s = index.page(null, 8, 0, after);
      byCursor.addAll(s.ids());
      after = s.ids().get(s.ids().size() - 1);
    }
    assertThat(byOffset.subList(0, 30)).isEqualTo(ids);
    assertThat(byCursor).isEqualTo(byOffset);
    List<JobId> failed = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      if ((29 - i) % 3 == 0) {
        failed.add(ids.get(i));
      }
    }
    assertThat(index.page(JobStatus.FAILED, 4, 0, null).ids()).isEqualTo(failed.subList(0, 4));
    assertThat(index.page(JobStatus.FAILED, 4, 4, null).ids()).isEqualTo(failed.subList(4, 8));
    assertThat(index.page(JobStatus.FAILED, 4, 0, failed.get(3)).ids())
        .isEqualTo(failed.subList(4, 8));
    assertThat(index.page(JobStatus.FAILED, 100, 0, ids.get(0)).ids())
        .as("a cursor that is not a failed job").isEqualTo(failed.subList(
            ids.get(0).equals(failed.get(0)) ? 1 : 0, failed.size()));
  }

  @Test
  void agedOutJobsLeaveTheStoreAndTheIndex() throws Exception {
    JobStore short2s = newStoreWithRetention(Duration.ofSeconds(2));
    assumeTrue(short2s != null, "the store under test has no short retention");
    assertThat(short2s.retention()).isEqualTo(Duration.ofSeconds(2));
    JobIndex live = index(short2s);
    long base = live.stats().total();
    JobRecord old = Fixtures.anyRecord();
    await(short2s.create(old));
    await(short2s.putRun(RunKey.any(old.job().id()), claim("w1"), 0));
    within(Duration.ofSeconds(1), "the index sees the job", () ->
        live.status(old.job().id()) == JobStatus.PROCESSING);
    Thread.sleep(1200); // real time for the 2 s retention: the old job is 1.2 s older than young
    JobRecord young = Fixtures.anyRecord();
    await(short2s.create(young));
    within(Duration.ofSeconds(5), "the old job leaves the store", () ->
        short2s.find(old.job().id()).isEmpty());
    within(Duration.ofSeconds(2), "the old job leaves the index", () ->
        live.status(old.job().id()) == null);
    assertThat(short2s.find(young.job().id())).isPresent();
    assertThat(live.status(young.job().id())).isEqualTo(JobStatus.SUBMITTED);
    assertThat(live.stats().total()).isEqualTo(base + 1);
    assertThat(index(short2s).status(old.job().id())).as("a fresh replay").isNull();
  }

  // ---- what the API answers from a client over this store: listings against details

  private JobClient client(JobStore s) {
    InMemoryBroker broker = InMemoryBroker.create();
    return JobClient.builder(Broker.of(s, broker.queue(), broker.registry()),
            BuiltinOperations.registry())
        .index(index(s)).build();
  }

  /** Every job the client lists, paged by cursor. */
  private static List<JobSummary> listAll(JobClient c) {
    List<JobSummary> out = new ArrayList<>();
    JobId after = null;
    while (true) {
      JobPage p = c.list(null, 100, 0, after);
      out.addAll(p.items());
      if (p.next() == null) {
        return out;
      }
      after = p.next();
    }
  }

  /** Whether every listed job is what its detail says and the total is what the store holds. */
  private static boolean listingMatchesDetails(JobClient c, JobStore s) {
    List<JobSummary> all = listAll(c);
    for (JobSummary item : all) {
      Optional<JobView> detail = c.get(item.id());
      if (detail.isEmpty() || !JobSummary.of(detail.get()).equals(item)) {
        return false;
      }
    }
    return c.list(null, 1, 0).total() == all.size() && c.stats().total() == all.size();
  }

  @Test
  void listingsEqualDetailsAndShowCreatesRunsDeletesAndRetriesInTheNextList() {
    JobClient c = client(store);
    JobView a = c.create(new CreateJobRequest("diag.echo", "{\"n\":1}", null));
    JobView b = c.create(new CreateJobRequest("diag.echo", "{\"n\":2}", null));
    JobView d = c.create(new CreateJobRequest("diag.echo", "{\"n\":3}", null));
    put(RunKey.any(a.job().id()),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0);
    put(RunKey.any(b.job().id()), claim("w1").finish(RunState.FAILED, null, "x", false, now()),
        0);
    within(Duration.ofSeconds(1), "the list shows the runs", () ->
        c.list(JobStatus.COMPLETED, 10, 0).items().stream()
            .anyMatch(i -> i.id().equals(a.job().id()))
            && c.list(JobStatus.FAILED, 10, 0).items().stream()
            .anyMatch(i -> i.id().equals(b.job().id())));
    assertThat(listingMatchesDetails(c, store)).as("list items equal their details").isTrue();
    JobSummary listed = c.list(null, 10, 0).items().stream()
        .filter(i -> i.id().equals(d.job().id())).findFirst().orElseThrow();
    assertThat(listed.operation()).isEqualTo("diag.echo");
    assertThat(listed.target()).isEqualTo("_any");
    assertThat(listed.created()).isEqualTo(d.job().created());

    assertThat(c.delete(d.job().id())).isTrue();
    within(Duration.ofSeconds(1), "the next list leaves the deleted job out", () ->
        c.list(null, 10, 0).items().stream().noneMatch(i -> i.id().equals(d.job().id()))
            && c.stats().total() == 2);
    JobView retried = c.retry(b.job().id(), null).orElseThrow();
    within(Duration.ofSeconds(1), "the next list shows the retry and the note", () -> {
      List<JobSummary> top = c.list(null, 10, 0).items();
      return top.get(0).id().equals(retried.job().id())
          && top.get(0).status() == JobStatus.SUBMITTED
          && top.stream().anyMatch(i -> i.id().equals(b.job().id())
              && i.updated().equals(c.get(b.job().id()).orElseThrow().updated()));
    });
    assertThat(c.get(b.job().id()).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    assertThat(listingMatchesDetails(c, store)).as("after the delete and the retry").isTrue();
  }

  @Test
  void filteredPagesEqualABruteForceFilterOverEveryDetail() {
    // created an hour ahead, a millisecond apart: no job of an earlier test is in their range
    Instant base = Instant.now().plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);
    List<String> ops = List.of("diag.echo", "diag.sleep", "node.hostname.get");
    List<String> targets = List.of("_any", "web01", "group:web", "_all");
    List<String> workers = List.of("w1", "w2", "w3", "web01");
    RunState[] ends = {null, RunState.RUNNING, RunState.COMPLETED, RunState.FAILED,
        RunState.CANCELLED, RunState.RELEASED};
    java.util.Random rnd = new java.util.Random(28);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 160; i++) {
      String target = targets.get(rnd.nextInt(targets.size()));
      Job job = new Job(JobId.generate(Clock.systemUTC()),
          new io.osapi.core.domain.Operation(ops.get(rnd.nextInt(ops.size())), "{}"),
          OperationKind.QUERY, io.osapi.core.domain.Target.parse(target),
          base.plusMillis(rnd.nextInt(60)));
      List<String> expected = switch (target) {
        case "_any" -> List.of();
        case "web01" -> List.of("web01");
        default -> workers.subList(0, 1 + rnd.nextInt(workers.size()));
      };
      JobRecord r = JobRecord.submitted(job, expected);
      create(r);
      ids.add(job.id());
      for (RunKey key : r.runKeys()) {
        // a broadcast's run is claimed by its slot's worker; an _any run by any worker, and
        // taken over by another now and then (the run then names its last holder only)
        String holder = key.shared() ? workers.get(rnd.nextInt(workers.size())) : key.slot();
        RunState end = ends[rnd.nextInt(ends.length)];
        if (end == RunState.CANCELLED && rnd.nextBoolean()) {
          put(key, Run.cancelled(null, "alice", now()), 0); // before any claim: ran on none
          continue;
        }
        Run claimed = claim(holder);
        long rev = end == null ? 0 : put(key, claimed, 0);
        if (end != null && key.shared() && rnd.nextInt(4) == 0) {
          claimed = Run.claim(claimed, workers.get(rnd.nextInt(workers.size())), 2, now());
          rev = put(key, claimed, rev);
        }
        if (end == RunState.RELEASED) {
          put(key, claimed.release("stop", now()), rev);
        } else if (end == RunState.CANCELLED) {
          put(key, Run.cancelled(claimed, "alice", now()), rev);
        } else if (end != null && end != RunState.RUNNING) {
          put(key, claimed.finish(end, "{}", end == RunState.FAILED ? "x" : null, false,
              now()), rev);
        }
      }
    }
    JobIndex live = index(store);
    List<JobView> details = new ArrayList<>();
    for (JobId id : ids) {
      JobRecord r = store.find(id).orElseThrow().value();
      details.add(JobView.of(r, store.runs(r)));
    }
    within(Duration.ofSeconds(5), "the index sees every run", () -> details.stream()
        .allMatch(v -> live.status(v.job().id()) == v.status()));
    details.sort((a, b) -> b.job().id().value().compareTo(a.job().id().value()));
    List<io.osapi.core.domain.JobFilter> filters = new ArrayList<>();
    List<JobStatus> statuses = new ArrayList<>(List.of(JobStatus.values()));
    statuses.add(null);
    List<String> opsOrNull = new ArrayList<>(ops);
    opsOrNull.add(null);
    opsOrNull.add("never.used");
    List<String> targetsOrNull = new ArrayList<>(targets);
    targetsOrNull.add(null);
    List<String> workersOrNull = new ArrayList<>(workers);
    workersOrNull.add(null);
    workersOrNull.add("never-seen");
    for (JobStatus st : statuses) {
      for (String op : opsOrNull) {
        for (String tg : targetsOrNull) {
          for (String wk : workersOrNull) {
            int from = rnd.nextInt(40);
            filters.add(new io.osapi.core.domain.JobFilter(st, op, tg, wk, base, null));
            filters.add(new io.osapi.core.domain.JobFilter(st, op, tg, wk, null,
                base.plusMillis(from)));
            filters.add(new io.osapi.core.domain.JobFilter(st, op, tg, wk, base.plusMillis(from),
                base.plusMillis(from + 1 + rnd.nextInt(30))));
          }
        }
      }
    }
    int nonEmpty = 0;
    int byWorker = 0;
    for (io.osapi.core.domain.JobFilter f : filters) {
      // "ran on": the detail names the worker among its runs' workers, with a start (a claim)
      List<JobId> expected = details.stream().filter(v ->
          (f.status() == null || v.status() == f.status())
              && (f.operation() == null || v.job().operation().type().equals(f.operation()))
              && (f.target() == null || v.job().target().text().equals(f.target()))
              && (f.worker() == null || (v.workers().containsKey(f.worker())
                  && v.workers().get(f.worker()).started() != null))
              && (f.createdAfter() == null || !v.job().created().isBefore(f.createdAfter()))
              && (f.createdBefore() == null || v.job().created().isBefore(f.createdBefore())))
          .map(v -> v.job().id()).toList();
      // without created_after the jobs of earlier tests (older, a store may keep them) match
      // too: the pages are compared on this test's jobs only
      boolean onlyMine = f.createdAfter() != null;
      List<JobId> paged = new ArrayList<>();
      JobId cursor = null;
      while (true) {
        JobIndex.Slice page = live.search(f, 7, 0, cursor);
        if (onlyMine) {
          assertThat(page.total()).as("total of %s", f).isEqualTo(expected.size());
        }
        paged.addAll(page.ids());
        if (!page.more()) {
          break;
        }
        cursor = page.ids().get(page.ids().size() - 1);
      }
      assertThat(onlyMine ? paged : paged.stream().filter(ids::contains).toList())
          .as("%s, paged by cursor", f).isEqualTo(expected);
      if (onlyMine && expected.size() > 3) {
        assertThat(live.search(f, 2, 3, null).ids()).as("%s by offset", f)
            .isEqualTo(expected.subList(3, Math.min(5, expected.size())));
      }
      nonEmpty += expected.isEmpty() ? 0 : 1;
      byWorker += f.worker() != null && !expected.isEmpty() ? 1 : 0;
    }
    assertThat(nonEmpty).as("filters that keep something").isGreaterThan(filters.size() / 8);
    assertThat(byWorker).as("worker filters that keep something").isGreaterThan(100);
  }

  @Test
  void aRetriedJobKeepsItsStatusUntilItLeavesTheStore() throws Exception {
    JobStore short2s = newStoreWithRetention(Duration.ofSeconds(2));
    assumeTrue(short2s != null, "the store under test has no short retention");
    JobClient c = client(short2s);
    JobView done = c.create(new CreateJobRequest("diag.echo", "{}", null));
    await(short2s.putRun(RunKey.any(done.job().id()),
        claim("w1").finish(RunState.COMPLETED, "{}", null, false, now()), 0));
    Thread.sleep(1200); // real time for the 2 s retention: the retry's note is 1.2 s younger
    JobView retried = c.retry(done.job().id(), null).orElseThrow(); // the note: 1.2 s later
    Thread.sleep(1300); // real time for the retention: the run's first write is gone by now,
    // the record's note is not
    assertThat(c.get(done.job().id())).as("the detail, 2.5 s after the run's first write")
        .hasValueSatisfying(v -> assertThat(v.status()).isEqualTo(JobStatus.COMPLETED));
    assertThat(c.list(JobStatus.COMPLETED, 10, 0).items()).extracting(JobSummary::id)
        .contains(done.job().id());
    assertThat(listingMatchesDetails(c, short2s)).isTrue();
    within(Duration.ofSeconds(5), "the job and its retry leave the store and the list", () ->
        short2s.find(done.job().id()).isEmpty() && short2s.find(retried.job().id()).isEmpty()
            && c.stats().total() == 0);
    assertThat(short2s.run(RunKey.any(done.job().id()))).isEmpty();
  }
}
