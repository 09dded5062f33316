package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Target;
import io.osapi.core.memory.InMemoryJobQueue;
import io.osapi.core.memory.InMemoryJobStore;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobQueue;
import io.osapi.core.testing.ManualClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Jobs stored whose notification never went out (their controller died between the two writes)
 * are notified again once, within the queue's de-duplication window; jobs notified already are
 * not notified twice.
 */
class SubmitReconcilerTest {
  private static final Duration GRACE = Duration.ofSeconds(30);
  private static final Duration MARGIN = Duration.ofSeconds(20);

  private final ManualClock clock =
      new ManualClock(System.currentTimeMillis());
  private final java.util.Random random = new java.util.Random();
  private final InMemoryJobStore store = new InMemoryJobStore(clock, Duration.ofHours(24));
  private final InMemoryJobQueue queue = new InMemoryJobQueue(clock, 1000, Duration.ofMinutes(2));
  private final AtomicBoolean queueDown = new AtomicBoolean();
  /** {@link #queue}, failing every publish while {@link #queueDown}. */
  private final JobQueue switchable = (JobQueue) Proxy.newProxyInstance(
      getClass().getClassLoader(), new Class<?>[] {JobQueue.class}, (p, m, args) -> {
        if (queueDown.get() && m.getName().equals("publish")) {
          return CompletableFuture.failedFuture(
              new BackendUnavailableException("the queue is down (injected)", null));
        }
        return m.invoke(queue, args);
      });
  private final JobIndex index = JobIndex.of(store, clock);
  private final JobClient client = JobClient.builder(Broker.of(store, queue,
      new io.osapi.core.memory.InMemoryWorkerRegistry(clock, Duration.ofSeconds(30))),
      BuiltinOperations.registry())
      .clock(clock).index(index).build();

  private SubmitReconciler reconciler() {
    Harness.awaitTrue(Duration.ofSeconds(5), index::isCaughtUp);
    return new SubmitReconciler(store, switchable, index, clock, GRACE, MARGIN);
  }

  /**
   * A job whose record was stored and whose controller died before it published anything. Its id
   * is made from the test's clock, not by {@link JobId#generate} (which never goes back in time
   * within a JVM: a clock moved ahead here would move the ids of every later test).
   */
  private JobId storedOnly() {
    return stored().job().id();
  }

  private JobRecord stored() {
    Job job = new Job(JobIndexTest.idAt(clock.millis(), random),
        new Operation("diag.echo", "{}"), OperationKind.QUERY, Target.parse("_any"),
        clock.instant());
    JobRecord record = JobRecord.submitted(job, List.of());
    Futures.await(store.create(record));
    return record;
  }

  /** A job created as usual: stored, then notified. */
  private JobId created() {
    JobRecord record = stored();
    Futures.await(queue.publish(io.osapi.core.domain.JobNotification.of(record)));
    return record.job().id();
  }

  private long queued() {
    return queue.backlog().pending();
  }

  private void advance(Duration d) {
    clock.advance(d);
  }

  @Test
  void aJobNeverNotifiedIsNotifiedOnceGraceOldAndAJobNotifiedAlreadyIsNotNotifiedTwice() {
    SubmitReconciler r = reconciler();
    JobId published = created();
    JobId orphan = storedOnly();
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(orphan) != null);
    assertThat(queued()).isEqualTo(1);

    assertThat(r.round()).as("younger than the grace: left to its own controller").isZero();
    advance(GRACE.minusSeconds(1));
    assertThat(r.round()).isZero();
    assertThat(queued()).isEqualTo(1);

    advance(Duration.ofSeconds(2));
    assertThat(r.round()).as("both looked at: neither has a run").isEqualTo(2);
    // the orphan is notified; the other was stored once (de-duplicated by job id)
    assertThat(queued()).isEqualTo(2);
    assertThat(r.resent()).isEqualTo(2);
    assertThat(index.status(published)).isEqualTo(JobStatus.SUBMITTED);

    advance(Duration.ofSeconds(5));
    assertThat(r.round()).as("each job is looked at once").isZero();
    assertThat(queued()).isEqualTo(2);
  }

  @Test
  void aJobAWorkerClaimedIsLeftAlone() {
    SubmitReconciler r = reconciler();
    JobId claimed = storedOnly();
    Futures.await(store.putRun(RunKey.any(claimed), Run.claim(null, "w1", 1, clock.instant()), 0));
    JobId orphan = storedOnly();
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(orphan) != null);
    advance(GRACE.plusSeconds(1));
    assertThat(r.round()).as("only the job without a run").isEqualTo(1);
    assertThat(queued()).isEqualTo(1);
  }

  @Test
  void jobsOlderThanTheWindowWhenTheProcessStartsAreLeftAsTheyAre() {
    JobId old = storedOnly();
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(old) != null);
    advance(Duration.ofMinutes(2));
    SubmitReconciler r = reconciler();
    JobId orphan = storedOnly();
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(orphan) != null);
    advance(GRACE.plusSeconds(1));
    assertThat(r.round()).as("the young one only").isEqualTo(1);
    // a second notification of the old one could make a job that is running run twice
    assertThat(queued()).isEqualTo(1);
    assertThat(index.status(old)).isEqualTo(JobStatus.SUBMITTED);
  }

  @Test
  void aJobThatCouldNotBeNotifiedWithinTheWindowIsFailedNotSubmitted() {
    SubmitReconciler r = reconciler();
    JobId orphan = storedOnly();
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(orphan) != null);
    queueDown.set(true);
    advance(GRACE.plusSeconds(1));
    assertThatThrownBy(r::round).isInstanceOf(BackendUnavailableException.class);
    advance(Duration.ofSeconds(30));
    assertThatThrownBy(r::round).as("tried again while within the window")
        .isInstanceOf(BackendUnavailableException.class);
    advance(Duration.ofMinutes(1));
    assertThat(r.round()).isEqualTo(1);
    assertThat(r.failed()).isEqualTo(1);
    Harness.awaitTrue(Duration.ofSeconds(5), () -> index.status(orphan) == JobStatus.FAILED);
    assertThat(client.get(orphan).orElseThrow().error())
        .startsWith("not submitted: its notification could not be confirmed");
    queueDown.set(false);
    assertThat(r.round()).isZero();
    assertThat(queued()).isZero();
  }

  @Test
  void aGraceBeyondTheWindowIsRefused() {
    assertThatThrownBy(() -> new SubmitReconciler(store, queue, index, clock,
        Duration.ofSeconds(100), Duration.ofSeconds(20)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("de-duplication window");
  }
}
