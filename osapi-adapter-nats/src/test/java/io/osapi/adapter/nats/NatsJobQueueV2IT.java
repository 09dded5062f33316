package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nats.client.impl.Headers;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The v2 queue on stream {@code JOBS} of a real server: whole-job notifications, publish
 * de-duplication, unreadable notifications, and deliveries that run out reported once across
 * subscribers. (The core's queue contract runs in {@link NatsJobQueueIT}.)
 */
class NatsJobQueueV2IT {
  @RegisterExtension static final NatsServerExtension NATS = new NatsServerExtension();
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @BeforeEach
  void clean() throws Exception {
    NATS.resetQueue();
    NatsSession s = NATS.backend().requireSession();
    try {
      s.jsm.deleteConsumer(NatsLayout.ADVISORY_STREAM, NatsLayout.ADVISORY_CONSUMER);
    } catch (io.nats.client.JetStreamApiException e) {
      // not there yet
    }
    s.jsm.purgeStream(NatsLayout.ADVISORY_STREAM);
    try {
      s.jsm.deleteConsumer(NatsLayout.DEADLINE_STREAM, NatsLayout.DEADLINE_CONSUMER);
    } catch (io.nats.client.JetStreamApiException e) {
      // not there yet
    }
  }

  private JobConsumer consumer(String worker, Duration ackWait, int maxDeliver) {
    return closer.later(NATS.backend().queue()
        .consumer(new ConsumerSpec(worker, Map.of(), ackWait, maxDeliver)));
  }

  /** Fetches until {@code n} deliveries came or {@code timeout} passed, settling none. */
  private static List<Delivery> fetch(JobConsumer c, int n, Duration timeout) throws Exception {
    List<Delivery> out = new ArrayList<>();
    long end = System.nanoTime() + timeout.toNanos();
    while (out.size() < n && System.nanoTime() < end) {
      out.addAll(c.fetch(n - out.size(), Duration.ofMillis(200)));
    }
    return out;
  }

  @Test
  void deadlinesAreHandedOutOnceWhenDueAndWaitForASubscriber() throws Exception {
    io.osapi.core.port.JobQueue q = NATS.backend().queue();
    Instant now = Instant.now();
    JobDeadline soon = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(),
        now.plusMillis(1500));
    JobDeadline past = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), now);
    q.scheduleDeadline(soon).get(5, TimeUnit.SECONDS);
    q.scheduleDeadline(soon).get(5, TimeUnit.SECONDS); // de-duplicated
    q.scheduleDeadline(past).get(5, TimeUnit.SECONDS);
    // no one subscribed yet (every controller down): they wait in the stream, the repeated one
    // once
    Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(NatsJobQueueV2IT::deadlinesWaiting, n -> n == 2);
    List<JobDeadline> got = new CopyOnWriteArrayList<>();
    List<Instant> at = new CopyOnWriteArrayList<>();
    int[] failures = {1};
    // two controllers; the first handler call fails once and is handed out again
    for (int i = 0; i < 2; i++) {
      closer.later(q.onDeadline(d -> {
        synchronized (failures) {
          if (d.equals(past) && failures[0]-- > 0) {
            throw new IllegalStateException("store away (injected)");
          }
        }
        got.add(d);
        at.add(Instant.now());
      }));
    }
    // a bound, not a timing: the failed one comes back after 5 s, later on a loaded machine
    Awaitility.await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(50))
        .until(got::size, n -> n >= 2);
    // the control: a deadline due now, scheduled after both were handled, is handed out; by then
    // neither of the first two came a second time
    JobDeadline control = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), Instant.now());
    q.scheduleDeadline(control).get(5, TimeUnit.SECONDS);
    Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
        .until(() -> got.contains(control));
    assertThat(got).containsExactlyInAnyOrder(soon, past, control);
    assertThat(at.get(got.indexOf(soon))).isAfterOrEqualTo(soon.at().minusMillis(10))
        .isBefore(soon.at().plusSeconds(3));
    // handled deadlines leave the work-queue stream
    Awaitility.await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
        .until(NatsJobQueueV2IT::deadlinesWaiting, n -> n == 0);
  }

  private static long deadlinesWaiting() throws Exception {
    return NATS.backend().requireSession().jsm.getStreamInfo(NatsLayout.DEADLINE_STREAM)
        .getStreamState().getMsgCount();
  }

  @Test
  void aDeadlineWhoseHandlingHangsDoesNotHoldUpTheOthers() throws Exception {
    io.osapi.core.port.JobQueue q = NATS.backend().queue();
    JobDeadline slow = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), Instant.now());
    java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    List<JobDeadline> done = new CopyOnWriteArrayList<>();
    closer.later(q.onDeadline(d -> {
      if (d.equals(slow)) {
        started.countDown();
        try {
          release.await(60, TimeUnit.SECONDS); // as a read of an unreachable store would hang
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      done.add(d);
    }));
    q.scheduleDeadline(slow).get(5, TimeUnit.SECONDS);
    assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();
    List<JobDeadline> others = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      JobDeadline d = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), Instant.now());
      others.add(d);
      q.scheduleDeadline(d).get(5, TimeUnit.SECONDS);
    }
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> done.containsAll(others));
    assertThat(done).as("the hanging one, still hanging").doesNotContain(slow);
    release.countDown();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10))
        .until(() -> done.contains(slow));
  }

  @Test
  void aDeadlineWhoseHandlingFailsForGoodIsDroppedNotHandedOutAgain() throws Exception {
    io.osapi.core.port.JobQueue q = NATS.backend().queue();
    JobDeadline bad = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), Instant.now());
    JobDeadline away = new JobDeadline(NatsJobStoreV2IT.job("_all", "{}").id(), Instant.now());
    List<JobDeadline> calls = new CopyOnWriteArrayList<>();
    closer.later(q.onDeadline(d -> {
      calls.add(d);
      if (d.equals(bad)) {
        throw new io.osapi.core.domain.PermanentStoreException("too large (injected)", null);
      }
      if (d.equals(away) && calls.stream().filter(away::equals).count() == 1) {
        throw new io.osapi.core.domain.BackendUnavailableException("away (injected)", null);
      }
    }));
    q.scheduleDeadline(bad).get(5, TimeUnit.SECONDS);
    q.scheduleDeadline(away).get(5, TimeUnit.SECONDS);
    // the positive control: the outage is handed out again (after 5 s); by then the permanent
    // failure would have come back too
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30))
        .until(() -> calls.stream().filter(away::equals).count() == 2);
    // the bad one was scheduled first: a retry of it would have come by now, and does not
    org.awaitility.Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
        .until(() -> calls.stream().filter(bad::equals).count() == 1);
    assertThat(NATS.backend().requireSession().jsm.getStreamInfo(NatsLayout.DEADLINE_STREAM)
        .getStreamState().getMsgCount()).isZero();
  }

  @Test
  void aNotificationCarriesTheWholeJobAndIsStoredOnceWhenPublishedTwice() throws Exception {
    JobConsumer c = consumer("q1", Duration.ofSeconds(5), 3);
    JobRecord r = JobRecord.submitted(NatsJobStoreV2IT.job("_any", "{\"x\": [1, 2.0]}"), List.of());
    JobNotification n = JobNotification.of(r);
    Instant before = Instant.now().minusSeconds(1);
    NATS.backend().queue().publish(n).get(5, TimeUnit.SECONDS);
    NATS.backend().queue().publish(n).get(5, TimeUnit.SECONDS);
    assertThat(NatsTestSupport.streamMessages(NATS.backend())).isEqualTo(1);

    List<Delivery> got = fetch(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    Delivery d = got.get(0);
    assertThat(d.notification()).isEqualTo(n);
    assertThat(d.notification().job().operation().data()).isEqualTo("{\"x\": [1, 2.0]}");
    assertThat(((NatsDelivery) d).subject()).isEqualTo(NatsLayout.notificationSubject(r.job()));
    assertThat(d.deliveryCount()).isEqualTo(1);
    assertThat(d.publishedAt()).isAfter(before).isBefore(Instant.now().plusSeconds(1));
    d.nak(Duration.ZERO);
    List<Delivery> again = fetch(c, 1, Duration.ofSeconds(5));
    assertThat(again).hasSize(1);
    assertThat(again.get(0).deliveryCount()).isEqualTo(2);
    again.get(0).ack();
  }

  @Test
  void aBroadcastReachesTheWorkersOwnDurable() throws Exception {
    JobConsumer c = consumer("web01.example", Duration.ofSeconds(5), 3);
    JobRecord r = JobRecord.submitted(NatsJobStoreV2IT.job("_all", "{}"), List.of("web01.example"));
    NATS.backend().queue().publish(JobNotification.of(r)).get(5, TimeUnit.SECONDS);
    List<Delivery> got = fetch(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).notification().expects("web01.example")).isTrue();
    got.get(0).ack();
  }

  @Test
  void anUnreadableNotificationThrowsCorruptRecord() throws Exception {
    JobConsumer c = consumer("q2", Duration.ofSeconds(5), 3);
    NATS.backend().requireSession().js.publish("jobs.query._any",
        new Headers().put("Nats-Msg-Id", "poison"), "not a job".getBytes(StandardCharsets.UTF_8));
    List<Delivery> got = fetch(c, 1, Duration.ofSeconds(5));
    assertThat(got).hasSize(1);
    assertThatThrownBy(() -> got.get(0).notification())
        .isInstanceOf(CorruptRecordException.class)
        .hasMessageContaining("jobs.query._any");
    got.get(0).term();
  }

  @Test
  void deliveriesThatRunOutAreReportedOnceAcrossSubscribers() throws Exception {
    NatsBackend other = closer.later(NatsTestSupport.backend(NATS.server()));
    List<ExhaustedDelivery> seen = new CopyOnWriteArrayList<>();
    closer.later(NATS.backend().queue().onExhausted(seen::add));
    closer.later(other.queue().onExhausted(seen::add));

    JobConsumer c = consumer("dies", Duration.ofSeconds(1), 2);
    JobRecord any = NatsJobStoreV2IT.any();
    JobRecord all = JobRecord.submitted(NatsJobStoreV2IT.job("_all", "{}"), List.of("dies"));
    NATS.backend().queue().publish(JobNotification.of(any)).get(5, TimeUnit.SECONDS);
    NATS.backend().queue().publish(JobNotification.of(all)).get(5, TimeUnit.SECONDS);

    // the worker keeps pulling but never settles: two deliveries each, then the server gives up
    // (it notices on the next pull after the last ack wait ran out)
    List<Delivery> got = new ArrayList<>();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(20), () -> {
      try {
        got.addAll(c.fetch(4, Duration.ofMillis(200)));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return seen.size() >= 2;
    })).as("exhausted deliveries reported; deliveries %s", got).isTrue();
    // the control: one more job, delivered twice and never settled, is reported (two ack waits
    // later); by then neither of the first two was reported a second time
    JobRecord control = NatsJobStoreV2IT.any();
    NATS.backend().queue().publish(JobNotification.of(control)).get(5, TimeUnit.SECONDS);
    List<Delivery> controlGot = new ArrayList<>();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(20), () -> {
      try {
        controlGot.addAll(c.fetch(4, Duration.ofMillis(200)));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return seen.size() >= 3;
    })).as("the control reported; deliveries %s", controlGot).isTrue();
    assertThat(seen).containsExactlyInAnyOrder(
        new ExhaustedDelivery(any.job().id(), null, 2),
        new ExhaustedDelivery(all.job().id(), "dies", 2),
        new ExhaustedDelivery(control.job().id(), null, 2));
    assertThat(got).extracting(Delivery::deliveryCount).containsExactlyInAnyOrder(1, 2, 1, 2);
  }

  @Test
  void aHandlerThatFailsGetsTheExhaustedDeliveryAgain() throws Exception {
    List<Instant> calls = new CopyOnWriteArrayList<>();
    closer.later(NATS.backend().queue().onExhausted(e -> {
      calls.add(Instant.now());
      if (calls.size() == 1) {
        throw new IllegalStateException("store unavailable");
      }
    }));
    JobConsumer c = consumer("dies2", Duration.ofSeconds(1), 1);
    NATS.backend().queue().publish(JobNotification.of(NatsJobStoreV2IT.any()))
        .get(5, TimeUnit.SECONDS);
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(20), () -> {
      try {
        c.fetch(4, Duration.ofMillis(200));
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return calls.size() >= 2;
    })).isTrue();
    assertThat(Duration.between(calls.get(0), calls.get(1))).isGreaterThan(Duration.ofSeconds(4));
  }
}
