package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Connection faults without workers: bad credentials, a server that comes up late, writes while
 * the server is gone and after it is back.
 */
class NatsConnectionIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  private <T extends AutoCloseable> T closeLater(T c) {
    return closer.later(c);
  }

  @Test
  void writesWhileTheServerIsGoneFailAtOnceAndWorkAgainOnceItIsBack() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    MetricsTap m = new MetricsTap();
    NatsBackend b = closeLater(NatsTestSupport.backend(server, m));
    JobRecord before = NatsJobStoreV2IT.any();
    b.store().create(before).get();
    server.kill9();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(5), () -> !b.isConnected())).isTrue();

    long t0 = System.nanoTime();
    CompletableFuture<Long> claim = b.store().putRun(RunKey.any(before.job().id()),
        Run.claim(null, "w1", 1, Instant.now()), 0);
    assertThat(catchThrowable(claim::get)).hasCauseInstanceOf(BackendUnavailableException.class);
    assertThat(catchThrowable(() -> b.store().find(before.job().id())))
        .isInstanceOf(BackendUnavailableException.class);
    // at once: well under the 5 s request timeout a write would wait out (3 s leaves room for a
    // loaded machine; 1.01 s was seen with the load average at 20)
    assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));

    server.restart();
    assertThat(b.awaitReady(Duration.ofSeconds(20))).isTrue();
    assertThat(b.store().find(before.job().id())).isPresent();
    assertThat(b.store().run(RunKey.any(before.job().id())))
        .as("a write refused while disconnected is never sent later").isEmpty();
    JobRecord after = NatsJobStoreV2IT.any();
    b.store().create(after).get();
    b.queue().publish(JobNotification.of(after)).get();
    assertThat(Fixtures.statuses(b.store())).containsOnlyKeys(before.job().id(), after.job().id());
    assertThat(m.connectedTransitions()).containsExactly(0, 1, 0, 1);
    assertThat(m.recorded.reconnects()).isEqualTo(1);
  }

  @Test
  void aCreateWithoutAnAnswerIsRemovedOnceTheServerAnswersAgain() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    NatsBackend b = closeLater(NatsBackend.connect(NatsTestSupport.settings(server)
        .requestTimeout(Duration.ofSeconds(1)).build()));
    assertThat(b.isReady()).isTrue();
    JobRecord kept = NatsJobStoreV2IT.any();
    JobRecord lost = NatsJobStoreV2IT.any();
    JobRecord claimed = NatsJobStoreV2IT.any();
    server.pause(true); // the creates reach the socket, the answers never come in time
    try {
      CompletableFuture<Long> f1 = b.store().create(lost);
      CompletableFuture<Long> f2 = b.store().create(claimed);
      assertThat(catchThrowable(f1::get)).hasCauseInstanceOf(BackendUnavailableException.class);
      assertThat(catchThrowable(f2::get)).hasCauseInstanceOf(BackendUnavailableException.class);
    } finally {
      server.pause(false);
    }
    // a worker claimed one of them meanwhile (as if the notification had gone out after all)
    NatsBackend other = closeLater(NatsTestSupport.backend(server));
    other.store().putRun(RunKey.any(claimed.job().id()),
        Run.claim(null, "w1", 1, Instant.now()), 0).get();
    b.store().create(kept).get();
    // not before its create could still be tried again by a held create (real time: most of the
    // settle window passes)
    Thread.sleep(NatsJobStore.SETTLE_AFTER.minusSeconds(3).toMillis());
    assertThat(other.store().find(lost.job().id())).as("kept while it may be tried again")
        .isPresent();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(13),
        () -> other.store().find(lost.job().id()).isEmpty()))
        .as("the create that was stored although its caller heard it failed is removed").isTrue();
    // the control is lost's removal above: the cleanup ran; for a second more it removes neither
    // the kept create nor the claimed one
    Awaitility.await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Fixtures.statuses(other.store()).keySet(),
            k -> k.equals(Set.of(kept.job().id(), claimed.job().id())));
  }

  @Test
  void wrongCredentialsFailClearlyAndNeverShowThePassword() throws Exception {
    String secret = "Wr0ng-S3cret-Pa55w0rd";
    String urlSecret = "Url-S3cret-Pa55w0rd";
    NatsServerProcess server =
        closeLater(NatsServerProcess.start("--user", "osapi", "--pass", "right-Pa55w0rd"));
    try (LogCapture logs = LogCapture.start()) {
      MetricsTap m = new MetricsTap();
      NatsSettings s =
          NatsTestSupport.settings(server)
              .userPassword("osapi", secret)
              .startupWait(Duration.ofSeconds(15))
              .build();
      long t0 = System.nanoTime();
      NatsBackend b = closeLater(NatsBackend.connect(s, m, m));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(b.isReady()).isFalse();
      assertThat(b.isConnected()).isFalse();
      assertThat(m.recorded.connected()).isZero();
      assertThat(m.connectedTransitions()).containsExactly(0);
      assertThat(m.recorded.subsystems()).containsEntry("nats", false);
      assertThat(b.lastError()).hasValueSatisfying(
          e -> assertThat(e).containsIgnoringCase("authentication").doesNotContain(secret));
      assertThat(took).as("gave up early instead of waiting the whole startup wait")
          .isLessThan(Duration.ofSeconds(14));
      Throwable t = catchThrowable(() -> b.store().find(JobId.generate(Clock.systemUTC())));
      assertThat(t).isInstanceOf(BackendUnavailableException.class);
      assertThat(t.getMessage()).containsIgnoringCase("authentication");
      assertThat(stackTrace(t)).doesNotContain(secret);
      assertThat(s.toString()).doesNotContain(secret).contains("user osapi");

      // the same with the password inside the URL
      NatsSettings inUrl =
          NatsTestSupport.settings(
                  List.of("nats://osapi:" + urlSecret + "@127.0.0.1:" + server.port()))
              .startupWait(Duration.ofSeconds(15))
              .build();
      NatsBackend b2 = closeLater(NatsBackend.connect(inUrl));
      assertThat(b2.isReady()).isFalse();
      Throwable t2 = catchThrowable(() -> b2.queue().backlog());
      assertThat(t2).isInstanceOf(BackendUnavailableException.class);
      assertThat(stackTrace(t2)).doesNotContain(urlSecret);
      assertThat(inUrl.toString()).doesNotContain(urlSecret);

      // and the right password works
      NatsBackend ok =
          closeLater(
              NatsTestSupport.backend(
                  NatsTestSupport.settings(server).userPassword("osapi", "right-Pa55w0rd").build(),
                  new MetricsTap()));
      assertThat(ok.isReady()).isTrue();

      String captured = logs.text();
      assertThat(captured).containsIgnoringCase("authentication failed");
      assertThat(captured).doesNotContain(secret).doesNotContain(urlSecret)
          .doesNotContain("right-Pa55w0rd");
    }
  }

  @Test
  void theFirstConnectWaitsForAServerThatComesUpLater() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.prepare());
    MetricsTap m = new MetricsTap();
    NatsBackend b =
        closeLater(
            NatsBackend.connect(
                NatsTestSupport.settings(server).startupWait(Duration.ofSeconds(1)).build(), m, m));
    assertThat(b.isReady()).isFalse();
    assertThat(m.recorded.connected()).isZero();
    assertThat(catchThrowable(() -> b.queue()
            .publish(JobNotification.of(NatsJobStoreV2IT.any())).get()))
        .hasCauseInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("not connected");
    assertThat(catchThrowable(() -> b.store().create(NatsJobStoreV2IT.any()).get()))
        .hasCauseInstanceOf(BackendUnavailableException.class);

    Thread.sleep(1000); // the fault itself: the server stays away for several failed attempts
    server.restart();
    assertThat(b.awaitReady(Duration.ofSeconds(20))).isTrue();
    assertThat(m.connectedTransitions()).containsExactly(0, 1);
    assertThat(m.recorded.reconnects()).as("a first connection is not a reconnect").isZero();
    assertThat(Fixtures.statuses(b.store())).isEmpty();
    assertThat(m.recorded.subsystems()).containsEntry("nats", true);
  }

  private static String stackTrace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw.toString();
  }
}
