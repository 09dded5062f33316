package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.UnknownOperationException;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Broker;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class JobClientTest {
  private final Harness h = new Harness(BuiltinOperations.registry());

  private void assertNothingStored() {
    assertThat(h.client.stats().total()).isZero();
    assertThat(h.metrics.createdTotal()).isZero();
    assertThat(h.broker.queue().backlog().pending()).isZero();
  }

  @Test
  void createStoresPublishesAndCounts() {
    JobView v = h.client.create(new CreateJobRequest("diag.echo", "{\"a\":1}", null));
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(v.job().target().text()).isEqualTo("_any");
    assertThat(h.client.get(v.job().id())).isPresent();
    assertThat(h.metrics.created("diag.echo")).isEqualTo(1);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(1);
  }

  @Test
  void aJobWhoseNotificationCouldNotBePublishedIsFailedSoItNeverRuns() {
    java.util.concurrent.atomic.AtomicInteger publishes =
        new java.util.concurrent.atomic.AtomicInteger();
    io.osapi.core.port.JobQueue failingQueue = (io.osapi.core.port.JobQueue)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.JobQueue.class}, (p, m, args) -> {
              if (m.getName().equals("publish")) {
                publishes.incrementAndGet();
                return java.util.concurrent.CompletableFuture.failedFuture(
                    new io.osapi.core.domain.BackendUnavailableException("no NATS (injected)", null));
              }
              return m.invoke(h.broker.queue(), args);
            });
    JobClient client = JobClient.builder(
        Broker.of(h.broker.store(), failingQueue, h.broker.registry()), h.operations).metrics(h.metrics).createPatience(Duration.ofMillis(400)).build();
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> client.create(new CreateJobRequest("diag.echo", "{}", null)))
        .isInstanceOf(io.osapi.core.domain.BackendUnavailableException.class)
        .hasMessageContaining("no NATS")
        .hasMessageContaining("publishing its notification failed for");
    // held for the patience, retried with back-off, then refused
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(publishes.get()).isGreaterThan(1);
    // kept, failed with the reason: a notification that went out after all finds its run done
    assertThat(h.metrics.createdTotal()).isZero();
    assertThat(h.broker.queue().backlog().pending()).isZero();
    assertThat(h.client.stats().byStatus().get(JobStatus.FAILED)).isEqualTo(1);
    JobId listed = h.client.list(null, 1, 0).items().get(0).id();
    assertThat(h.client.list(null, 1, 0).items().get(0).status()).isEqualTo(JobStatus.FAILED);
    JobView v = h.client.get(listed).orElseThrow();
    assertThat(v.status()).isEqualTo(JobStatus.FAILED);
    assertThat(v.error()).startsWith("not submitted: its notification could not be published");
  }

  @Test
  void aJobWhosePublishFailedButWhichAWorkerClaimedIsCreatedAfterAll() {
    // the notification reaches the queue and a worker claims the job, but the publish's answer
    // is a failure (not a retryable one): the job is live, so the create succeeds after all
    io.osapi.core.port.JobQueue answersWrong = (io.osapi.core.port.JobQueue)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.JobQueue.class}, (p, m, args) -> {
              if (m.getName().equals("publish")) {
                io.osapi.core.domain.JobNotification n =
                    (io.osapi.core.domain.JobNotification) args[0];
                h.broker.queue().publish(n).join();
                h.broker.store().putRun(io.osapi.core.domain.RunKey.any(n.job().id()),
                    io.osapi.core.domain.Run.claim(null, "w1", 1, java.time.Instant.now()), 0)
                    .join();
                return CompletableFuture.failedFuture(
                    new IllegalStateException("answer garbled (injected)"));
              }
              return m.invoke(h.broker.queue(), args);
            });
    JobClient client = JobClient.builder(
        Broker.of(h.broker.store(), answersWrong, h.broker.registry()), h.operations)
        .metrics(h.metrics).build();
    JobView v = client.create(new CreateJobRequest("diag.echo", "{}", null));
    assertThat(v.job().operation().type()).isEqualTo("diag.echo");
    assertThat(h.metrics.createdTotal()).isEqualTo(1);
    assertThat(h.client.get(v.job().id()).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
    // the control: with nobody claiming it, the same failure fails the create and the job
    io.osapi.core.port.JobQueue fails = (io.osapi.core.port.JobQueue)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.JobQueue.class}, (p, m, args) ->
                m.getName().equals("publish") ? CompletableFuture.failedFuture(
                    new IllegalStateException("answer garbled (injected)"))
                    : m.invoke(h.broker.queue(), args));
    JobClient failing = JobClient.builder(
        Broker.of(h.broker.store(), fails, h.broker.registry()), h.operations)
        .metrics(h.metrics).build();
    assertThatThrownBy(() -> failing.create(new CreateJobRequest("diag.echo", "{}", null)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("answer garbled");
    assertThat(h.metrics.createdTotal()).isEqualTo(1);
    assertThat(failing.createAsync(new CreateJobRequest("diag.echo", "{}", null)))
        .failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aCreateIsHeldThroughAnUnavailableStoreAndQueueAndMadeOnce() {
    // the first create fails after the store took it (answer lost), the second before it; the
    // first two publishes fail: the job is created once, with one record and one notification
    java.util.concurrent.atomic.AtomicInteger creates = new java.util.concurrent.atomic.AtomicInteger();
    io.osapi.core.port.JobStore lossy = FailingOnceJobStore.wrapping(
        FailingOnceJobStore.wrapping(h.broker.store(), "create", 1, true, creates),
        "create", 2, false, new java.util.concurrent.atomic.AtomicInteger());
    java.util.concurrent.atomic.AtomicInteger publishes = new java.util.concurrent.atomic.AtomicInteger();
    io.osapi.core.port.JobQueue flaky = (io.osapi.core.port.JobQueue)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.JobQueue.class}, (p, m, args) -> {
              if (m.getName().equals("publish") && publishes.incrementAndGet() <= 2) {
                // the first one reaches the queue, its answer is lost
                if (publishes.get() == 1) {
                  h.broker.queue().publish((io.osapi.core.domain.JobNotification) args[0]);
                }
                return java.util.concurrent.CompletableFuture.failedFuture(
                    new io.osapi.core.domain.BackendUnavailableException("fail-over (injected)", null));
              }
              return m.invoke(h.broker.queue(), args);
            });
    JobClient client = JobClient.builder(Broker.of(lossy, flaky, h.broker.registry()), h.operations)
        .metrics(h.metrics).createPatience(Duration.ofSeconds(10)).build();
    JobView v = client.create(new CreateJobRequest("diag.echo", "{}", null));
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    // the inner store saw attempts 1 (stored, answer lost) and 3 (found it: went on with it)
    assertThat(creates.get()).isEqualTo(2);
    assertThat(publishes.get()).isEqualTo(3);
    assertThat(h.client.stats().total()).isEqualTo(1);
    assertThat(h.metrics.createdTotal()).isEqualTo(1);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(1);
    assertThat(h.client.get(v.job().id())).isPresent();
  }

  @Test
  void anAnyCreateIsNotHeldByAnUnavailableRegistryButABroadcastIs() {
    java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
    io.osapi.core.port.WorkerRegistry away = (io.osapi.core.port.WorkerRegistry)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.WorkerRegistry.class}, (p, m, args) -> {
              if (m.getName().equals("roster") || m.getName().equals("workers")) {
                listings.incrementAndGet();
                throw new io.osapi.core.domain.BackendUnavailableException(
                    "NATS listing workers failed: timeout (injected)", null);
              }
              return m.invoke(h.broker.registry(), args);
            });
    JobClient client = JobClient.builder(Broker.of(h.broker.store(), h.broker.queue(), away),
        h.operations).metrics(h.metrics).createPatience(Duration.ofSeconds(30)).build();
    long t0 = System.nanoTime();
    JobView v = client.create(new CreateJobRequest("diag.echo", "{}", null));
    // queued at once: the registry was asked once, the job store took it
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
    assertThat(listings.get()).isEqualTo(1);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(1);
    // a broadcast needs its expected workers: held for the patience, then refused
    JobClient impatient = JobClient.builder(Broker.of(h.broker.store(), h.broker.queue(), away),
        h.operations).metrics(h.metrics).createPatience(Duration.ofMillis(300)).build();
    assertThatThrownBy(() -> impatient.create(new CreateJobRequest("diag.echo", null, "_all")))
        .isInstanceOf(io.osapi.core.domain.BackendUnavailableException.class)
        .hasMessageContaining("reading the registered workers failed for");
    assertThat(listings.get()).isGreaterThan(2);
    assertThat(h.client.stats().total()).isEqualTo(1);
  }

  @Test
  void aCreateThatCannotBeStoredIsRefusedAfterThePatience() {
    io.osapi.core.port.JobStore down = (io.osapi.core.port.JobStore)
        java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {io.osapi.core.port.JobStore.class}, (p, m, args) -> {
              if (m.getName().equals("create")) {
                throw new io.osapi.core.domain.BackendUnavailableException("NATS is not connected", null);
              }
              return m.invoke(h.broker.store(), args);
            });
    JobClient client = JobClient.builder(
        Broker.of(down, h.broker.queue(), h.broker.registry()), h.operations)
        .metrics(h.metrics).createPatience(Duration.ofMillis(300)).build();
    assertThatThrownBy(() -> client.create(new CreateJobRequest("diag.echo", "{}", null)))
        .isInstanceOf(io.osapi.core.domain.BackendUnavailableException.class)
        .hasMessageContaining("storing the job failed for");
    JobClient impatient = JobClient.builder(
        Broker.of(down, h.broker.queue(), h.broker.registry()), h.operations).metrics(h.metrics).createPatience(Duration.ZERO).build();
    assertThatThrownBy(() -> impatient.create(new CreateJobRequest("diag.echo", "{}", null)))
        .isInstanceOf(io.osapi.core.domain.BackendUnavailableException.class)
        .hasMessage("NATS is not connected");
    assertNothingStored();
  }

  @Test
  void createAsyncPipelinesManyJobs() {
    List<java.util.concurrent.CompletableFuture<JobView>> all = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      all.add(h.client.createAsync(new CreateJobRequest("diag.echo", "{\"i\":" + i + "}", null)));
    }
    all.forEach(java.util.concurrent.CompletableFuture::join);
    assertThat(h.client.stats().total()).isEqualTo(200);
    assertThat(h.metrics.created("diag.echo")).isEqualTo(200);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(200);
    // bad input is refused at once, not through the future
    assertThatThrownBy(() -> h.client.createAsync(CreateJobRequest.of("nope.nope")))
        .isInstanceOf(UnknownOperationException.class);
  }

  @Test
  void aBroadcastExpectsTheWorkersRegisteredAtSubmit() {
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "_all")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no ready worker is registered to run an _all job");
    assertNothingStored();
    h.worker(Harness.config("w1", 1));
    h.worker(Harness.config("w2", 1).withLabels(Map.of("group", "db")));
    h.awaitRegistered("w1", "w2");
    JobView all = h.client.create(new CreateJobRequest("diag.echo", null, "_all"));
    JobView db = h.client.create(new CreateJobRequest("diag.echo", null, "group:db"));
    assertThat(h.awaitEnd(all.job().id(), Duration.ofSeconds(10)).workers())
        .containsOnlyKeys("w1", "w2");
    assertThat(h.awaitEnd(db.job().id(), Duration.ofSeconds(10)).workers())
        .containsOnlyKeys("w2");
    h.close();
  }

  @Test
  void unknownOperationIsRefusedBeforeAnythingIsStored() {
    assertThatThrownBy(() -> h.client.create(CreateJobRequest.of("system.hostname.update")))
        .isInstanceOf(UnknownOperationException.class)
        .hasMessageContaining("unknown operation type 'system.hostname.update'");
    assertThatThrownBy(() -> h.client.create(CreateJobRequest.of("system")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not valid");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest(null, null, null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("operation.type is required");
    assertNothingStored();
  }

  @Test
  void badDataAndTargetsAreRefused() {
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", "{nope", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid JSON");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo",
        "\"" + "x".repeat(70_000) + "\"", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("larger than");
    for (String bad : List.of("a b", "*", ">", "group:", ":x")) {
      assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, bad)))
          .isInstanceOf(InvalidInputException.class);
    }
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "web99")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no registered ready worker has id 'web99'");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "group:web")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no registered ready worker has a label matching 'group:web'");
    assertNothingStored();
  }

  @Test
  void knownHostAndLabelTargetsAreAccepted() {
    h.worker(Harness.config("web01", 1).withLabels(Map.of("group", "web.dev")));
    Harness.awaitTrue(Duration.ofSeconds(5), () -> !h.client.workers().isEmpty());
    assertThat(h.client.create(new CreateJobRequest("diag.echo", null, "web01")).job().target())
        .isEqualTo(new Target.Host("web01"));
    JobView v = h.client.create(new CreateJobRequest("diag.echo", null, "group:web"));
    assertThat(h.awaitEnd(v.job().id(), Duration.ofSeconds(10)).status())
        .isEqualTo(JobStatus.COMPLETED);
    h.close();
  }

  @Test
  void listsNewestFirstWithFilterAndPaging() {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(h.client.create(CreateJobRequest.of("diag.echo")).job().id());
    }
    List<JobId> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    JobPage first = h.client.list(null, 10, 0);
    assertThat(first.total()).isEqualTo(25);
    assertThat(first.items()).extracting(v -> v.id())
        .containsExactlyElementsOf(newestFirst.subList(0, 10));
    assertThat(h.client.list(null, 10, 20).items()).hasSize(5);
    assertThat(h.client.list(JobStatus.COMPLETED, 10, 0).total()).isZero();
    assertThat(h.client.list(JobStatus.SUBMITTED, 100, 0).total()).isEqualTo(25);
    assertThatThrownBy(() -> h.client.list(null, 0, 0)).hasMessageContaining("limit");
    assertThatThrownBy(() -> h.client.list(null, 101, 0)).hasMessageContaining("limit");
    assertThatThrownBy(() -> h.client.list(null, 10, -1)).hasMessageContaining("offset");
  }

  @Test
  void retryMakesANewJobAndMarksTheOld() {
    JobId old = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    JobView retried = h.client.retry(old, null).orElseThrow();
    assertThat(retried.job().id()).isNotEqualTo(old);
    assertThat(h.client.get(old).orElseThrow().timeline())
        .anySatisfy(t -> assertThat(t.message()).isEqualTo("retried as " + retried.job().id()));
    assertThat(h.client.retry(JobId.generate(Clock.systemUTC()), null)).isEmpty();
    assertThat(h.metrics.createdTotal()).isEqualTo(2);
  }

  @Test
  void deleteRemovesEverything() {
    JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    assertThat(h.client.delete(id)).isTrue();
    assertThat(h.client.get(id)).isEmpty();
    assertThat(h.client.delete(id)).isFalse();
    assertThat(h.broker.store().run(io.osapi.core.domain.RunKey.any(id))).isEmpty();
  }

  @Test
  void retriedEventDoesNotChangeTheOriginalsStatus() {
    JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    h.client.retry(id, null);
    assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(h.client.get(id).orElseThrow().timeline()).extracting(t -> t.event())
        .contains("retried");
  }

  // ---- whenDone and close: an embedder waits without polling, and closes what the client made

  @Test
  void whenDoneCompletesWithTheEndedJobWithoutPolling() throws Exception {
    JobId id = h.client.create(new CreateJobRequest("diag.echo", "{\"a\":1}", null)).job().id();
    CompletableFuture<JobView> done = h.client.whenDone(id);
    assertThat(done).isNotDone(); // no worker yet: the job waits, and so does the future
    h.worker(Harness.config("w1", 1));
    JobView v = done.get(10, TimeUnit.SECONDS);
    assertThat(v.status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(v.result()).isEqualTo("{\"a\":1}");
    // a job that has ended already: at once, and every caller gets a future of its own
    assertThat(h.client.whenDone(id).get(1, TimeUnit.SECONDS).status())
        .isEqualTo(JobStatus.COMPLETED);
    h.client.whenDone(id).cancel(true);
    assertThat(h.client.whenDone(id).get(1, TimeUnit.SECONDS).job().id()).isEqualTo(id);
  }

  @Test
  void whenDoneOfAnUnknownOrDeletedJobFails() throws Exception {
    assertThat(h.client.whenDone(JobId.generate(Clock.systemUTC())))
        .failsWithin(Duration.ofSeconds(1)).withThrowableOfType(Exception.class)
        .withCauseInstanceOf(NoSuchElementException.class);
    JobId id = h.client.create(new CreateJobRequest("diag.echo", "{}", null)).job().id();
    CompletableFuture<JobView> done = h.client.whenDone(id);
    assertThat(h.client.delete(id)).isTrue();
    assertThat(done).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(Exception.class)
        .withCauseInstanceOf(NoSuchElementException.class);
  }

  @Test
  void closeEndsTheClientsThreadsAndItsWaits() {
    JobClient client = JobClient.builder(h.broker, h.operations).build();
    JobId id = client.create(new CreateJobRequest("diag.echo", "{}", null)).job().id();
    java.util.Set<Thread> before = liveThreads("osapi-job-reads");
    assertThat(client.get(id)).isPresent(); // a detail read starts the read threads
    java.util.Set<Thread> mine = liveThreads("osapi-job-reads");
    mine.removeAll(before); // other clients of this JVM have threads of that name too
    CompletableFuture<JobView> done = client.whenDone(id);
    assertThat(mine).as("positive control: the client's own read threads").isNotEmpty();
    client.close();
    client.close(); // idempotent
    assertThat(done).failsWithin(Duration.ofSeconds(1)).withThrowableOfType(Exception.class)
        .withCauseInstanceOf(IllegalStateException.class);
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> mine.stream().noneMatch(Thread::isAlive));
    assertThatThrownBy(client::stats).isInstanceOf(IllegalStateException.class);
  }

  private static java.util.Set<Thread> liveThreads(String prefix) {
    java.util.Set<Thread> out = new java.util.HashSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.isAlive() && t.getName().startsWith(prefix)) {
        out.add(t);
      }
    }
    return out;
  }

  @org.junit.jupiter.api.AfterEach
  void closeTheHarness() {
    h.close();
  }
}
