package io.osapi.core.contract;

import static io.osapi.core.contract.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.domain.SettleLaterException;
import io.osapi.core.domain.Target;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.DeliveryHandler;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobQueue} must do: the delivery rules the worker relies on. An adapter's test
 * extends this class and supplies a queue with no messages and no consumers but the shared ones
 * per test. Exhausted deliveries are told apart by job id, so earlier tests' exhaustions that
 * reach a handler late do not matter.
 */
public abstract class JobQueueContract {
  /** Ack wait used by the redelivery tests unless an adapter's test chooses another. */
  protected static final Duration ACK_WAIT = Duration.ofSeconds(1);

  /**
   * The ack wait of this test's consumers, {@link #ACK_WAIT} unless overridden: the redelivery
   * tests wait for it by condition and show absence over multiples of it, so a queue whose
   * timers are exact (the in-memory one) is tested in less time with a shorter one.
   */
  protected Duration ackWait() {
    return ACK_WAIT;
  }

  /** The queue under test, new for each test. */
  protected JobQueue queue;

  private final List<AutoCloseable> opened = new ArrayList<>();

  /** A queue with no messages and no consumers but the shared ones. */
  protected abstract JobQueue newQueue();

  @BeforeEach
  void setUpQueue() {
    queue = newQueue();
  }

  @AfterEach
  void closeConsumersAndSubscriptions() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
  }

  /** Opens a consumer for {@code worker} with {@code labels}; closed after the test. */
  protected JobConsumer consumer(String worker, Map<String, String> labels, int maxDeliver) {
    JobConsumer c = queue.consumer(new ConsumerSpec(worker, labels, ackWait(), maxDeliver));
    opened.add(c);
    return c;
  }

  private JobConsumer consumer(String worker) {
    return consumer(worker, Map.of(), 5);
  }

  /** Subscribes {@code handler} to exhausted deliveries; closed after the test. */
  protected AutoCloseable onExhausted(Consumer<ExhaustedDelivery> handler) {
    AutoCloseable s = queue.onExhausted(handler);
    opened.add(s);
    return s;
  }

  /** Publishes {@code job} (expecting {@code expected} workers) and waits until it is stored. */
  protected JobNotification publish(Job job, String... expected) {
    JobNotification n = Fixtures.notification(job, expected);
    await(queue.publish(n));
    return n;
  }

  /** Fetches until {@code n} deliveries arrived or {@code timeout} passed, acking each. */
  protected static List<Delivery> fetchN(JobConsumer c, int n, Duration timeout)
      throws InterruptedException {
    List<Delivery> out = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (out.size() < n && System.nanoTime() < end) {
      List<Delivery> got = c.fetch(n - out.size(), Duration.ofMillis(200));
      got.forEach(Delivery::ack);
      out.addAll(got);
    }
    return out;
  }

  /** Fetches until {@code n} deliveries arrived or {@code timeout} passed, acking none. */
  protected static List<Delivery> fetchUnacked(JobConsumer c, int n, Duration timeout)
      throws InterruptedException {
    List<Delivery> out = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (out.size() < n && System.nanoTime() < end) {
      out.addAll(c.fetch(n - out.size(), Duration.ofMillis(200)));
    }
    return out;
  }

  /**
   * Keeps fetching without settling anything, like a worker whose operation hangs, while {@code
   * going} holds and {@code timeout} has not passed; adds every delivery to {@code into}.
   */
  protected static void fetchWithoutSettling(JobConsumer c, List<Delivery> into, Duration timeout,
      BooleanSupplier going) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (going.getAsBoolean() && System.nanoTime() < end) {
      into.addAll(c.fetch(5, Duration.ofMillis(100)));
    }
  }

  private static Set<JobId> ids(List<Delivery> ds) {
    Set<JobId> s = new HashSet<>();
    ds.forEach(d -> s.add(d.notification().job().id()));
    return s;
  }

  private static List<ExhaustedDelivery> about(List<ExhaustedDelivery> seen, Job job) {
    return seen.stream().filter(e -> e.job().equals(job.id())).toList();
  }

  @Test
  void deliversAPublishedNotification() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    JobNotification sent = publish(job);
    List<Delivery> got = fetchUnacked(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    Delivery d = got.get(0);
    assertThat(d.notification()).isEqualTo(sent);
    assertThat(d.notification().job()).isEqualTo(job);
    assertThat(d.notification().job().target()).isEqualTo(Target.Any.INSTANCE);
    assertThat(d.deliveryCount()).isEqualTo(1);
    assertThat(d.publishedAt()).isNotNull();
    d.ack();
  }

  @Test
  void aNotificationCarriesItsJobsTraceContext() throws Exception {
    JobConsumer c = consumer("w1");
    io.osapi.core.domain.TraceContext trace = new io.osapi.core.domain.TraceContext(
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "congo=t61rcWkgMzE");
    JobNotification untraced = publish(Fixtures.job("_any"));
    JobNotification sent = Fixtures.notification(Fixtures.job("_any")).withTrace(trace);
    await(queue.publish(sent));
    List<Delivery> got = fetchN(c, 2, Duration.ofSeconds(5));
    assertThat(got).extracting(Delivery::notification).containsExactly(untraced, sent);
    assertThat(got.get(0).notification().trace()).isNull();
    assertThat(got.get(1).notification().trace()).isEqualTo(trace);
  }

  @Test
  void aBroadcastNotificationKeepsItsJobAndExpectedWorkers() throws Exception {
    JobConsumer c = consumer("wa");
    Job job = Fixtures.job("_all", OperationKind.MODIFY,
        "{\"path\":\"/etc/motd\",\"text\":\"h\u00e9llo \\\"all\\\"\",\"n\":[1,2.5,null]}");
    JobNotification sent = publish(job, "wa", "web02.example.com");
    List<Delivery> got = fetchN(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).notification()).isEqualTo(sent);
    assertThat(got.get(0).notification().expected()).containsExactly("wa", "web02.example.com");
    assertThat(got.get(0).notification().job().target()).isEqualTo(Target.All.INSTANCE);
    assertThat(got.get(0).notification().job().kind()).isEqualTo(OperationKind.MODIFY);
  }

  @Test
  void modifyJobsArriveToo() throws Exception {
    JobConsumer c = consumer("w1");
    publish(Fixtures.job("_any", OperationKind.MODIFY));
    List<Delivery> got = fetchN(c, 1, Duration.ofSeconds(5));
    assertThat(got).extracting(d -> d.notification().job().kind())
        .containsExactly(OperationKind.MODIFY);
  }

  @Test
  void republishingTheSameJobIsDeduplicated() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    publish(job);
    publish(job);
    List<Delivery> got = fetchN(c, 2, ackWait().multipliedBy(2));
    assertThat(got).hasSize(1);
  }

  @Test
  void anyJobsAreSharedNotCopied() throws Exception {
    JobConsumer a = consumer("wa");
    JobConsumer b = consumer("wb");
    Set<JobId> published = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      Job j = Fixtures.job("_any");
      published.add(j.id());
      publish(j);
    }
    List<Delivery> fromA = new ArrayList<>();
    List<Delivery> fromB = new ArrayList<>();
    long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (fromA.size() + fromB.size() < 20 && System.nanoTime() < end) {
      List<Delivery> ga = a.fetch(3, Duration.ofMillis(100));
      ga.forEach(Delivery::ack);
      fromA.addAll(ga);
      List<Delivery> gb = b.fetch(3, Duration.ofMillis(100));
      gb.forEach(Delivery::ack);
      fromB.addAll(gb);
    }
    assertThat(fromA.size() + fromB.size()).isEqualTo(20);
    Set<JobId> all = ids(fromA);
    all.addAll(ids(fromB));
    assertThat(all).isEqualTo(published);
    assertThat(fromA).isNotEmpty();
    assertThat(fromB).isNotEmpty();
  }

  @Test
  void allJobsReachEveryWorker() throws Exception {
    JobConsumer a = consumer("wa");
    JobConsumer b = consumer("wb");
    Job job = Fixtures.job("_all");
    publish(job, "wa", "wb");
    assertThat(ids(fetchN(a, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(ids(fetchN(b, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
  }

  @Test
  void hostJobsReachOnlyThatWorker() throws Exception {
    JobConsumer a = consumer("web01.example.com");
    JobConsumer b = consumer("wb");
    Job job = Fixtures.job("web01.example.com");
    publish(job, "web01.example.com");
    assertThat(ids(fetchN(a, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(fetchN(b, 1, Duration.ofMillis(600))).isEmpty();
  }

  @Test
  void labelTargetsMatchByDottedPrefix() throws Exception {
    JobConsumer dev = consumer("w-dev", Map.of("group", "web.dev"), 5);
    JobConsumer web = consumer("w-web", Map.of("group", "web"), 5);
    JobConsumer db = consumer("w-db", Map.of("group", "db"), 5);
    JobConsumer webby = consumer("w-webby", Map.of("group", "webby"), 5);
    Job job = Fixtures.job("group:web");
    publish(job, "w-dev", "w-web");
    assertThat(ids(fetchN(dev, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(ids(fetchN(web, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(fetchN(db, 1, Duration.ofMillis(400))).isEmpty();
    assertThat(fetchN(webby, 1, Duration.ofMillis(400))).isEmpty();
    Job narrow = Fixtures.job("group:web.dev");
    publish(narrow, "w-dev");
    assertThat(ids(fetchN(dev, 1, Duration.ofSeconds(5)))).containsExactly(narrow.id());
    assertThat(fetchN(web, 1, Duration.ofMillis(400))).isEmpty();
  }

  @Test
  void aNewWorkerDoesNotReplayEarlierBroadcasts() throws Exception {
    JobConsumer a = consumer("wa");
    Job before = Fixtures.job("_all");
    publish(before, "wa");
    JobConsumer late = consumer("wlate");
    Job after = Fixtures.job("_all");
    publish(after, "wa", "wlate");
    assertThat(ids(fetchN(late, 2, ackWait().multipliedBy(2)))).containsExactly(after.id());
    assertThat(ids(fetchN(a, 2, Duration.ofSeconds(5))))
        .containsExactlyInAnyOrder(before.id(), after.id());
  }

  @Test
  void fetchNeverReturnsMoreThanAsked() throws Exception {
    JobConsumer c = consumer("w1");
    for (int i = 0; i < 10; i++) {
      publish(Fixtures.job(i % 2 == 0 ? "_any" : "_all"), i % 2 == 0 ? new String[0]
          : new String[] {"w1"});
    }
    List<Delivery> got = c.fetch(3, Duration.ofSeconds(2));
    got.forEach(Delivery::ack);
    assertThat(got).hasSizeBetween(1, 3);
  }

  @Test
  void deliverHandsOverNoMoreThanTheFreeSlotsAndTheNextOnceOneIsGivenBack() throws Exception {
    JobConsumer c = consumer("w1");
    Semaphore slots = new Semaphore(2);
    List<Delivery> held = new CopyOnWriteArrayList<>();
    List<Runnable> dones = new CopyOnWriteArrayList<>();
    AtomicInteger out = new AtomicInteger();
    AtomicInteger mostOut = new AtomicInteger();
    DeliveryHandler handler = (d, done) -> {
      mostOut.accumulateAndGet(out.incrementAndGet(), Math::max);
      held.add(d);
      dones.add(() -> {
        out.decrementAndGet();
        done.run();
      });
    };
    AtomicBoolean going = new AtomicBoolean(true);
    Thread worker = new Thread(() -> { // as a worker calls it: the same slots and handler
      while (going.get()) {
        try {
          c.deliver(slots, handler, Duration.ofMillis(100));
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    worker.start();
    try {
      Set<JobId> sent = new HashSet<>();
      for (int i = 0; i < 6; i++) { // shared and own durables both
        Job job = Fixtures.job(i % 2 == 0 ? "_any" : "_all");
        publish(job, i % 2 == 0 ? new String[0] : new String[] {"w1"});
        sent.add(job.id());
      }
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 2);
      // nothing more while both slots are out (against the positive control right after); the
      // two held are kept alive meanwhile, as a worker keeps what it runs
      Awaitility.await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
          .pollInterval(Duration.ofMillis(50)).until(() -> {
            held.forEach(Delivery::inProgress);
            return held.size() == 2;
          });
      assertThat(slots.availablePermits()).isZero();
      held.get(0).ack();
      dones.get(0).run();
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.size() == 3);
      for (int settled = 1; settled < 6; settled++) {
        int next = settled;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> held.size() > next);
        held.get(next).ack();
        dones.get(next).run();
      }
      assertThat(ids(held)).isEqualTo(sent);
      assertThat(held).hasSize(6);
      assertThat(mostOut.get()).isEqualTo(2);
    } finally {
      going.set(false);
      worker.interrupt();
      worker.join(5_000);
    }
    assertThat(slots.availablePermits()).isEqualTo(2); // every slot given back, none lost
  }

  @Test
  void unackedDeliveryComesBackAfterAckWait() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    publish(job);
    Delivery first = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    assertThat(first.deliveryCount()).isEqualTo(1);
    List<Delivery> again = fetchUnacked(c, 1, ackWait().multipliedBy(5));
    assertThat(again).hasSize(1);
    assertThat(again.get(0).notification().job()).isEqualTo(job);
    assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    again.get(0).ack();
    assertThat(fetchN(c, 1, ackWait().multipliedBy(2))).isEmpty();
  }

  @Test
  void nakWithDelayRedeliversAfterTheDelay() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    publish(job);
    Delivery d = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    long t0 = System.nanoTime();
    d.nak(Duration.ofMillis(300));
    List<Delivery> again = fetchUnacked(c, 1, Duration.ofSeconds(5));
    assertThat(again).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - t0))
        .as("not before the delay").isGreaterThanOrEqualTo(Duration.ofMillis(250));
    assertThat(again.get(0).notification().job().id()).isEqualTo(job.id());
    assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    again.get(0).ack();
  }

  @Test
  void termedDeliveryNeverComesBack() throws Exception {
    JobConsumer c = consumer("w1");
    publish(Fixtures.job("_any"));
    fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0).term();
    assertThat(fetchN(c, 1, ackWait().multipliedBy(2))).isEmpty();
  }

  @Test
  void inProgressKeepsALongJobFromBeingRedelivered() throws Exception {
    JobConsumer c = consumer("w1");
    publish(Fixtures.job("_any"));
    Delivery d = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    long end = System.nanoTime() + ackWait().multipliedBy(3).toNanos();
    List<Delivery> during = new ArrayList<>();
    while (System.nanoTime() < end) {
      d.inProgress();
      during.addAll(c.fetch(1, ackWait().dividedBy(4)));
    }
    assertThat(during).isEmpty();
    d.ack();
  }

  @Test
  void maxDeliverStopsRedelivery() throws Exception {
    JobConsumer c = consumer("w1", Map.of(), 2);
    publish(Fixtures.job("_any"));
    List<Delivery> got = fetchUnacked(c, 3, ackWait().multipliedBy(5));
    assertThat(got).extracting(Delivery::deliveryCount).containsExactly(1, 2);
  }

  @Test
  void aSharedDeliveryThatRunsOutReachesOneHandlerOnce() throws Exception {
    List<ExhaustedDelivery> first = new CopyOnWriteArrayList<>();
    List<ExhaustedDelivery> second = new CopyOnWriteArrayList<>();
    onExhausted(first::add);
    onExhausted(second::add);
    JobConsumer c = consumer("w1", Map.of(), 2);
    Job job = Fixtures.job("_any");
    publish(job);
    List<Delivery> deliveries = new ArrayList<>();
    fetchWithoutSettling(c, deliveries, ackWait().multipliedBy(10),
        () -> about(first, job).isEmpty() && about(second, job).isEmpty());
    // a while longer: no second report, no third delivery
    fetchWithoutSettling(c, deliveries, ackWait().multipliedBy(2), () -> true);
    List<ExhaustedDelivery> reported = new ArrayList<>(about(first, job));
    reported.addAll(about(second, job));
    assertThat(reported).containsExactly(new ExhaustedDelivery(job.id(), null, 2));
    assertThat(deliveries).extracting(Delivery::deliveryCount).containsExactly(1, 2);
  }

  @Test
  void anOwnDeliveryThatRunsOutNamesTheWorker() throws Exception {
    List<ExhaustedDelivery> seen = new CopyOnWriteArrayList<>();
    onExhausted(seen::add);
    JobConsumer c = consumer("web03.example.com", Map.of("group", "web"), 2);
    Job job = Fixtures.job("group:web");
    publish(job, "web03.example.com");
    List<Delivery> deliveries = new ArrayList<>();
    fetchWithoutSettling(c, deliveries, ackWait().multipliedBy(10), () -> about(seen, job).isEmpty());
    assertThat(about(seen, job))
        .containsExactly(new ExhaustedDelivery(job.id(), "web03.example.com", 2));
    assertThat(deliveries).extracting(Delivery::deliveryCount).containsExactly(1, 2);
  }

  @Test
  void aDeliveryNakedOnItsLastAllowedDeliveryRunsOut() throws Exception {
    List<ExhaustedDelivery> seen = new CopyOnWriteArrayList<>();
    onExhausted(seen::add);
    JobConsumer c = consumer("w1", Map.of(), 2);
    Job job = Fixtures.job("_any");
    publish(job);
    List<Delivery> deliveries = new ArrayList<>();
    long end = System.nanoTime() + ackWait().multipliedBy(10).toNanos();
    while (about(seen, job).isEmpty() && System.nanoTime() < end) {
      for (Delivery d : c.fetch(5, Duration.ofMillis(100))) {
        deliveries.add(d);
        d.nak(Duration.ZERO);
      }
    }
    assertThat(about(seen, job)).containsExactly(new ExhaustedDelivery(job.id(), null, 2));
    assertThat(deliveries).extracting(Delivery::deliveryCount).containsExactly(1, 2);
  }

  @Test
  void aHandlerThatThrowsGetsTheExhaustedDeliveryAgain() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    List<ExhaustedDelivery> handled = new CopyOnWriteArrayList<>();
    Job job = Fixtures.job("_any");
    onExhausted(e -> {
      if (e.job().equals(job.id()) && calls.incrementAndGet() == 1) {
        throw new IllegalStateException("store unavailable");
      }
      handled.add(e);
    });
    JobConsumer c = consumer("w1", Map.of(), 2);
    publish(job);
    // a bound, not a timing: the NATS queue hands a failed exhaustion back after a 5 s delay
    fetchWithoutSettling(c, new ArrayList<>(), Duration.ofSeconds(30),
        () -> about(handled, job).isEmpty());
    assertThat(calls.get()).isEqualTo(2);
    assertThat(about(handled, job)).containsExactly(new ExhaustedDelivery(job.id(), null, 2));
  }

  @Test
  void aHandlerThatSaysSettleLaterGetsTheExhaustedDeliveryAgainAfterTheDelayItNames()
      throws Exception {
    List<Instant> calls = new CopyOnWriteArrayList<>();
    List<ExhaustedDelivery> handled = new CopyOnWriteArrayList<>();
    Job job = Fixtures.job("_any");
    // 2.5 s: longer than the embedded queue's retry after a failure (1 s), shorter than the NATS
    // queue's (5 s), so either taking it for a failure shows
    Duration later = Duration.ofMillis(2500);
    onExhausted(e -> {
      if (!e.job().equals(job.id())) {
        return;
      }
      calls.add(Instant.now());
      if (calls.size() == 1) {
        throw new SettleLaterException("its last delivery still runs", later);
      }
      handled.add(e);
    });
    JobConsumer c = consumer("w1", Map.of(), 2);
    publish(job);
    fetchWithoutSettling(c, new ArrayList<>(), Duration.ofSeconds(30),
        () -> about(handled, job).isEmpty());
    assertThat(calls).hasSize(2);
    assertThat(Duration.between(calls.get(0), calls.get(1)))
        .isBetween(later.minusMillis(100), Duration.ofMillis(4500));
    assertThat(about(handled, job)).containsExactly(new ExhaustedDelivery(job.id(), null, 2));
  }

  @Test
  void aClosedSubscriptionIsNotCalledAndTheExhaustionWaitsForTheNext() throws Exception {
    List<ExhaustedDelivery> closed = new CopyOnWriteArrayList<>();
    onExhausted(closed::add).close();
    JobConsumer c = consumer("w1", Map.of(), 2);
    Job job = Fixtures.job("_any");
    publish(job);
    List<Delivery> deliveries = new ArrayList<>();
    fetchWithoutSettling(c, deliveries, ackWait().multipliedBy(10), () -> deliveries.size() < 2);
    assertThat(deliveries).extracting(Delivery::deliveryCount).containsExactly(1, 2);
    // past the last delivery's ack wait: it ran out while no one was subscribed
    fetchWithoutSettling(c, deliveries, ackWait().multipliedBy(3), () -> true);
    assertThat(deliveries).hasSize(2);

    List<ExhaustedDelivery> next = new CopyOnWriteArrayList<>();
    onExhausted(next::add);
    assertThat(Fixtures.eventually(ackWait().multipliedBy(10), () -> !about(next, job).isEmpty()))
        .as("the exhaustion reaches the next subscriber")
        .isTrue();
    assertThat(about(next, job)).containsExactly(new ExhaustedDelivery(job.id(), null, 2));
    assertThat(closed).isEmpty();
  }

  @Test
  void backlogCountsPendingAndUnacked() throws Exception {
    JobConsumer c = consumer("w1");
    for (int i = 0; i < 3; i++) {
      publish(Fixtures.job("_any"));
    }
    assertThat(Fixtures.eventually(Duration.ofSeconds(5), () -> queue.backlog().pending() == 3))
        .as("pending 3, was %s", queue.backlog())
        .isTrue();
    List<Delivery> got = fetchUnacked(c, 2, Duration.ofSeconds(5));
    assertThat(got).hasSize(2);
    assertThat(Fixtures.eventually(Duration.ofSeconds(5),
        () -> queue.backlog().equals(new QueueBacklog(1, 2))))
        .as("backlog was %s", queue.backlog())
        .isTrue();
    got.forEach(Delivery::ack);
    assertThat(Fixtures.eventually(Duration.ofSeconds(5),
        () -> queue.backlog().equals(new QueueBacklog(1, 0))))
        .as("backlog was %s", queue.backlog())
        .isTrue();
  }
}
