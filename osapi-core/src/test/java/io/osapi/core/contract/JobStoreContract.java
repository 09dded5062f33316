package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.port.JobStore;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobStore} must do. An adapter's test extends this class and supplies an empty
 * store per test.
 */
public abstract class JobStoreContract {
  /** The store under test, new for each test. */
  protected JobStore store;

  /** A new, empty store. */
  protected abstract JobStore newStore();

  @BeforeEach
  void setUpStore() {
    store = newStore();
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  @Test
  void storesAndReadsBackAJob() {
    Job job = Fixtures.job("group:web.dev");
    store.create(job);
    assertThat(store.find(job.id())).contains(job);
  }

  @Test
  void unknownJobIsEmpty() {
    assertThat(store.find(JobId.generate(Clock.systemUTC()))).isEmpty();
  }

  @Test
  void refusesToOverwriteAJob() {
    Job job = Fixtures.job("_any");
    store.create(job);
    assertThatThrownBy(() -> store.create(job)).isInstanceOf(RuntimeException.class);
  }

  @Test
  void appendsEventsPerJobOnly() throws Exception {
    Job a = Fixtures.job("_any");
    Job b = Fixtures.job("_any");
    store.create(a);
    store.create(b);
    StatusEvent e1 = new StatusEvent(a.id(), EventType.SUBMITTED, StatusEvent.API, now(), Map.of("k", "v"));
    StatusEvent e2 = new StatusEvent(a.id(), EventType.STARTED, "web01.example.com", now(), Map.of());
    StatusEvent e3 = new StatusEvent(b.id(), EventType.STARTED, "w2", now(), Map.of());
    CompletableFuture.allOf(store.appendEvent(e1), store.appendEvent(e2), store.appendEvent(e3))
        .get(10, TimeUnit.SECONDS);
    assertThat(store.events(a.id())).containsExactlyInAnyOrder(e1, e2);
    assertThat(store.events(b.id())).containsExactly(e3);
  }

  @Test
  void sameEventTwiceFromOneWorkerIsKeptTwice() throws Exception {
    Job a = Fixtures.job("_any");
    store.create(a);
    Instant t = now();
    StatusEvent e1 = new StatusEvent(a.id(), EventType.ACKNOWLEDGED, "w1", t, Map.of());
    StatusEvent e2 = new StatusEvent(a.id(), EventType.ACKNOWLEDGED, "w1", t.plusNanos(1000), Map.of());
    CompletableFuture.allOf(store.appendEvent(e1), store.appendEvent(e2)).get(10, TimeUnit.SECONDS);
    assertThat(store.events(a.id())).hasSize(2);
  }

  @Test
  void storesResultsBesideEvents() throws Exception {
    Job a = Fixtures.job("_any");
    store.create(a);
    Instant t = now();
    JobResult r1 = new JobResult(a.id(), "w1", 1, EventType.FAILED, null, "boom", t);
    JobResult r2 =
        new JobResult(a.id(), "w1", 2, EventType.COMPLETED, "{\"x\":[1,2]}", null, t.plusMillis(5));
    CompletableFuture.allOf(store.putResult(r1), store.putResult(r2)).get(10, TimeUnit.SECONDS);
    assertThat(store.results(a.id())).containsExactlyInAnyOrder(r1, r2);
    assertThat(store.history(a.id()).results()).containsExactlyInAnyOrder(r1, r2);
    assertThat(store.history(a.id()).events()).isEmpty();
  }

  @Test
  void theSameEventOrResultWrittenAgainIsStoredOnce() throws Exception {
    Job a = Fixtures.job("_any");
    store.create(a);
    Instant t = now();
    StatusEvent e = new StatusEvent(a.id(), EventType.COMPLETED, "w1", t, Map.of("k", "v"));
    JobResult r = new JobResult(a.id(), "w1", 1, EventType.COMPLETED, "{}", null, t);
    CompletableFuture.allOf(store.putResult(r), store.appendEvent(e)).get(10, TimeUnit.SECONDS);
    CompletableFuture.allOf(store.putResult(r), store.appendEvent(e)).get(10, TimeUnit.SECONDS);
    assertThat(store.events(a.id())).containsExactly(e);
    assertThat(store.results(a.id())).containsExactly(r);
    assertThat(store.history(a.id())).isEqualTo(new io.osapi.core.domain.JobHistory(
        List.of(e), List.of(r)));
  }

  @Test
  void pipelinedResultAndTerminalEventAreBothThereWhenTheirFuturesComplete() throws Exception {
    List<CompletableFuture<Void>> all = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Job j = Fixtures.job("_any");
      store.create(j);
      jobs.add(j);
      all.add(store.putResult(new JobResult(j.id(), "w1", 1, EventType.COMPLETED, "{}", null, now())));
      all.add(store.appendEvent(new StatusEvent(j.id(), EventType.COMPLETED, "w1", now(), Map.of())));
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    for (Job j : jobs) {
      assertThat(store.results(j.id())).hasSize(1);
      assertThat(store.events(j.id())).hasSize(1);
    }
  }

  @Test
  void indexListsNewestFirstWithEventKeys() throws Exception {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      Job j = Fixtures.job("_any");
      store.create(j);
      jobs.add(j);
      Thread.sleep(2);
    }
    store.appendEvent(new StatusEvent(jobs.get(0).id(), EventType.COMPLETED, "web01.x", now(), Map.of()))
        .get(10, TimeUnit.SECONDS);
    Map<JobId, List<EventKey>> index = store.index();
    List<JobId> expected = new ArrayList<>();
    for (int i = jobs.size() - 1; i >= 0; i--) {
      expected.add(jobs.get(i).id());
    }
    assertThat(new ArrayList<>(index.keySet())).containsExactlyElementsOf(expected);
    assertThat(index.get(jobs.get(0).id()))
        .extracting(EventKey::type, EventKey::worker)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(EventType.COMPLETED, "web01_x"));
    assertThat(index.get(jobs.get(0).id()).get(0).unixNanos()).isPositive();
    assertThat(index.get(jobs.get(1).id())).isEmpty();
  }

  @Test
  void deleteRemovesJobEventsAndResults() throws Exception {
    Job a = Fixtures.job("_any");
    Job b = Fixtures.job("_any");
    store.create(a);
    store.create(b);
    CompletableFuture.allOf(
            store.appendEvent(new StatusEvent(a.id(), EventType.STARTED, "w1", now(), Map.of())),
            store.putResult(new JobResult(a.id(), "w1", 1, EventType.COMPLETED, "{}", null, now())),
            store.appendEvent(new StatusEvent(b.id(), EventType.STARTED, "w1", now(), Map.of())))
        .get(10, TimeUnit.SECONDS);
    assertThat(store.delete(a.id())).isTrue();
    assertThat(store.find(a.id())).isEmpty();
    assertThat(store.events(a.id())).isEmpty();
    assertThat(store.results(a.id())).isEmpty();
    assertThat(store.index()).doesNotContainKey(a.id()).containsKey(b.id());
    assertThat(store.events(b.id())).hasSize(1);
    assertThat(store.delete(a.id())).isFalse();
  }
}
