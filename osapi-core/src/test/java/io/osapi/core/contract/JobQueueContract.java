package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link JobQueue} must do: the delivery rules the worker relies on. An adapter's test
 * extends this class and supplies an empty queue per test.
 */
public abstract class JobQueueContract {
  /** Ack wait used by the redelivery tests. */
  protected static final Duration ACK_WAIT = Duration.ofSeconds(1);

  /** The queue under test, new for each test. */
  protected JobQueue queue;

  private final List<JobConsumer> opened = new ArrayList<>();

  /** A new, empty queue. */
  protected abstract JobQueue newQueue();

  @BeforeEach
  void setUpQueue() {
    queue = newQueue();
  }

  @AfterEach
  void closeConsumers() {
    opened.forEach(JobConsumer::close);
  }

  /** Opens a consumer for {@code worker} with {@code labels}. */
  protected JobConsumer consumer(String worker, Map<String, String> labels, int maxDeliver) {
    JobConsumer c = queue.consumer(new ConsumerSpec(worker, labels, ACK_WAIT, maxDeliver));
    opened.add(c);
    return c;
  }

  private JobConsumer consumer(String worker) {
    return consumer(worker, Map.of(), 5);
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

  private static Set<JobId> ids(List<Delivery> ds) {
    Set<JobId> s = new HashSet<>();
    ds.forEach(d -> s.add(d.jobId()));
    return s;
  }

  @Test
  void deliversAPublishedJob() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    queue.publish(job);
    List<Delivery> got = fetchUnacked(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    Delivery d = got.get(0);
    assertThat(d.jobId()).isEqualTo(job.id());
    assertThat(d.subject()).isEqualTo("jobs.query._any");
    assertThat(d.deliveryCount()).isEqualTo(1);
    assertThat(d.publishedAt()).isNotNull();
    d.ack();
  }

  @Test
  void modifyJobsArriveToo() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any", OperationKind.MODIFY);
    queue.publish(job);
    List<Delivery> got = fetchN(c, 1, Duration.ofSeconds(5));
    assertThat(got).extracting(Delivery::subject).containsExactly("jobs.modify._any");
  }

  @Test
  void republishingTheSameJobIsDeduplicated() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    queue.publish(job);
    queue.publish(job);
    List<Delivery> got = fetchN(c, 2, Duration.ofSeconds(2));
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
      queue.publish(j);
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
    queue.publish(job);
    assertThat(ids(fetchN(a, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(ids(fetchN(b, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
  }

  @Test
  void hostJobsReachOnlyThatWorker() throws Exception {
    JobConsumer a = consumer("web01.example.com");
    JobConsumer b = consumer("wb");
    Job job = Fixtures.job("web01.example.com");
    queue.publish(job);
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
    queue.publish(job);
    assertThat(ids(fetchN(dev, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(ids(fetchN(web, 1, Duration.ofSeconds(5)))).containsExactly(job.id());
    assertThat(fetchN(db, 1, Duration.ofMillis(400))).isEmpty();
    assertThat(fetchN(webby, 1, Duration.ofMillis(400))).isEmpty();
    Job narrow = Fixtures.job("group:web.dev");
    queue.publish(narrow);
    assertThat(ids(fetchN(dev, 1, Duration.ofSeconds(5)))).containsExactly(narrow.id());
    assertThat(fetchN(web, 1, Duration.ofMillis(400))).isEmpty();
  }

  @Test
  void aNewWorkerDoesNotReplayEarlierBroadcasts() throws Exception {
    JobConsumer a = consumer("wa");
    Job before = Fixtures.job("_all");
    queue.publish(before);
    JobConsumer late = consumer("wlate");
    Job after = Fixtures.job("_all");
    queue.publish(after);
    assertThat(ids(fetchN(late, 2, Duration.ofSeconds(2)))).containsExactly(after.id());
    assertThat(ids(fetchN(a, 2, Duration.ofSeconds(5)))).containsExactlyInAnyOrder(before.id(), after.id());
  }

  @Test
  void fetchNeverReturnsMoreThanAsked() throws Exception {
    JobConsumer c = consumer("w1");
    for (int i = 0; i < 10; i++) {
      queue.publish(Fixtures.job(i % 2 == 0 ? "_any" : "_all"));
    }
    Thread.sleep(200);
    List<Delivery> got = c.fetch(3, Duration.ofSeconds(2));
    got.forEach(Delivery::ack);
    assertThat(got).hasSizeBetween(1, 3);
  }

  @Test
  void unackedDeliveryComesBackAfterAckWait() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    queue.publish(job);
    Delivery first = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    assertThat(first.deliveryCount()).isEqualTo(1);
    List<Delivery> again = fetchUnacked(c, 1, ACK_WAIT.multipliedBy(5));
    assertThat(again).hasSize(1);
    assertThat(again.get(0).jobId()).isEqualTo(job.id());
    assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    again.get(0).ack();
    assertThat(fetchN(c, 1, ACK_WAIT.multipliedBy(2))).isEmpty();
  }

  @Test
  void nakWithDelayRedeliversAfterTheDelay() throws Exception {
    JobConsumer c = consumer("w1");
    Job job = Fixtures.job("_any");
    queue.publish(job);
    Delivery d = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    long t0 = System.nanoTime();
    d.nak(Duration.ofMillis(300));
    List<Delivery> again = fetchUnacked(c, 1, Duration.ofSeconds(5));
    assertThat(again).hasSize(1);
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    again.get(0).ack();
  }

  @Test
  void termedDeliveryNeverComesBack() throws Exception {
    JobConsumer c = consumer("w1");
    queue.publish(Fixtures.job("_any"));
    fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0).term();
    assertThat(fetchN(c, 1, ACK_WAIT.multipliedBy(2))).isEmpty();
  }

  @Test
  void inProgressKeepsALongJobFromBeingRedelivered() throws Exception {
    JobConsumer c = consumer("w1");
    queue.publish(Fixtures.job("_any"));
    Delivery d = fetchUnacked(c, 1, Duration.ofSeconds(5)).get(0);
    long end = System.nanoTime() + ACK_WAIT.multipliedBy(3).toNanos();
    List<Delivery> during = new ArrayList<>();
    while (System.nanoTime() < end) {
      d.inProgress();
      during.addAll(c.fetch(1, Duration.ofMillis(250)));
    }
    assertThat(during).isEmpty();
    d.ack();
  }

  @Test
  void maxDeliverStopsRedelivery() throws Exception {
    JobConsumer c = consumer("w1", Map.of(), 2);
    queue.publish(Fixtures.job("_any"));
    List<Delivery> got = fetchUnacked(c, 3, ACK_WAIT.multipliedBy(5));
    assertThat(got).extracting(Delivery::deliveryCount).containsExactly(1, 2);
  }

  @Test
  void backlogCountsPendingAndUnacked() throws Exception {
    JobConsumer c = consumer("w1");
    for (int i = 0; i < 3; i++) {
      queue.publish(Fixtures.job("_any"));
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
