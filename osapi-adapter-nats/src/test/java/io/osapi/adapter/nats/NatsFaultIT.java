package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import io.osapi.core.port.JobMetrics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Faults: the server killed and restarted, a worker abandoning a job, retries, bad credentials. */
class NatsFaultIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  private <T extends AutoCloseable> T closeLater(T c) {
    return closer.later(c);
  }

  @Test
  void serverKilledAndRestartedWhileJobsAreInFlight() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    Fleet.Worker w1 = fleet.start("w1", Map.of(), Duration.ofSeconds(3), 4);
    Fleet.Worker w2 = fleet.start("w2", Map.of(), Duration.ofSeconds(3), 4);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 120; i++) {
      ids.add(fleet.create("diag.sleep", "{\"seconds\":0.2}", "_any"));
    }
    // 120 jobs of 0.2 s on 8 slots take about 3 s: kill the server once a few are done
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(20),
        () -> countCompleted(fleet, ids) >= 10)).isTrue();
    int doneBefore = countCompleted(fleet, ids);
    server.kill9();
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(5), () -> !fleet.client.isConnected()))
        .isTrue();
    Thread.sleep(1000);
    server.restart();

    boolean allDone;
    try {
      allDone = fleet.awaitCompletedSomewhere(ids, Duration.ofSeconds(60));
    } catch (RuntimeException e) {
      System.err.println("SERVER LOG\n" + server.log());
      try (NatsBackend fresh = NatsTestSupport.backend(server, JobMetrics.noop())) {
        System.err.println("FRESH DIAG " + NatsTestSupport.diagnose(fresh, ids));
      }
      dumpThreads();
      throw e;
    }
    if (!allDone) {
      System.err.println("DIAG " + NatsTestSupport.diagnose(fleet.client, ids));
      System.err.println("SERVER LOG\n" + server.log());
    }
    assertThat(allDone).as("every job completed after the restart").isTrue();
    assertThat(doneBefore).as("the server died with jobs still to do").isLessThan(ids.size());
    assertThat(NatsTestSupport.streamMessages(fleet.client)).as("one notification per job")
        .isEqualTo(ids.size());
    fleet.assertCompletedExactlyOnce(ids);
    // workers cut off mid-job recorded "released" once back, so no job looks still processing
    assertThat(fleet.await(ids, JobStatus.COMPLETED, Duration.ofSeconds(15)))
        .as("computed status completed: %s", NatsTestSupport.diagnose(fleet.client, ids))
        .isTrue();

    for (MetricsTap m : List.of(fleet.clientMetrics, w1.metrics(), w2.metrics())) {
      assertThat(m.connectedTransitions()).containsExactly(0, 1, 0, 1);
      assertThat(m.recorded.natsConnected()).isEqualTo(1);
      assertThat(m.recorded.natsReconnects()).isEqualTo(1);
    }
    assertThat(fleet.client.isReady()).isTrue();
  }

  private static int countCompleted(Fleet fleet, List<JobId> ids) {
    int n = 0;
    var index = fleet.client.jobStore().index();
    for (JobId id : ids) {
      var keys = index.get(id);
      if (keys != null && io.osapi.core.domain.JobView.statusOf(keys) == JobStatus.COMPLETED) {
        n++;
      }
    }
    return n;
  }

  @Test
  void aJobAbandonedByAWorkerIsRedeliveredAndCompletedByAnother() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    Fleet.Worker a = fleet.start("a", Map.of(), Duration.ofSeconds(2), 1);
    JobId job = fleet.create("diag.sleep", "{\"seconds\":3}", "_any");
    assertThat(
            NatsTestSupport.eventually(
                Duration.ofSeconds(10),
                () ->
                    fleet.client.jobStore().events(job).stream()
                        .anyMatch(e -> e.type() == EventType.STARTED && e.worker().equals("a"))))
        .as("worker a started the job")
        .isTrue();
    Fleet.Worker b = fleet.start("b", Map.of(), Duration.ofSeconds(2), 1);

    a.backend().close(); // a dies mid-job: its delivery is never settled

    assertThat(fleet.awaitFinishedBy(job, Set.of("b"), Duration.ofSeconds(20)))
        .as("worker b finished the abandoned job")
        .isTrue();
    Thread.sleep(3500); // a's sleep ends meanwhile; it must not manage to record anything
    assertThat(fleet.terminalBy(job)).isEqualTo(Map.of("b", 1));
    List<JobResult> results = fleet.client.jobStore().results(job);
    assertThat(results).hasSize(1);
    assertThat(results.get(0).worker()).isEqualTo("b");
    assertThat(results.get(0).status()).isEqualTo(EventType.COMPLETED);
    assertThat(results.get(0).attempt()).isEqualTo(2);
    assertThat(b.metrics().recorded.redeliveries("diag.sleep")).isEqualTo(1);
    assertThat(fleet.jobs.get(job).orElseThrow().status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(fleet.jobs.get(job).orElseThrow().workers().get("b").state())
        .isEqualTo(EventType.COMPLETED);
  }

  @Test
  void aRetriedPublishIsDeduplicated() throws Exception {
    NatsServerProcess server = closeLater(NatsServerProcess.start());
    Fleet fleet = closeLater(new Fleet(NatsTestSupport.settings(server).build()));
    NatsBackend b = fleet.client;
    Job job =
        new Job(
            JobId.generate(Clock.systemUTC()),
            new Operation("diag.echo", "{\"once\":true}"),
            OperationKind.QUERY,
            Target.parse("_any"),
            Instant.now().truncatedTo(ChronoUnit.MILLIS));
    b.jobStore().create(job);
    b.jobQueue().publish(job);
    b.jobQueue().publish(job); // the caller did not see the first ack and tried again
    assertThatThrownBy(() -> b.jobStore().create(job)).isInstanceOf(IllegalStateException.class);
    assertThat(NatsTestSupport.streamMessages(b)).isEqualTo(1);

    fleet.start("w1");
    assertThat(fleet.awaitFinishedBy(job.id(), Set.of("w1"), Duration.ofSeconds(10))).isTrue();
    Thread.sleep(500);
    assertThat(fleet.completedBy(job.id())).isEqualTo(Map.of("w1", 1));
    assertThat(b.jobStore().index().keySet()).containsExactly(job.id());
    assertThat(b.jobStore().find(job.id())).contains(job);
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
      NatsBackend b = closeLater(NatsBackend.connect(s, m));
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(b.isReady()).isFalse();
      assertThat(b.isConnected()).isFalse();
      assertThat(m.recorded.natsConnected()).isZero();
      assertThat(m.connectedTransitions()).containsExactly(0);
      assertThat(m.recorded.subsystems()).containsEntry("nats", false);
      assertThat(b.lastError()).hasValueSatisfying(
          e -> assertThat(e).containsIgnoringCase("authentication").doesNotContain(secret));
      assertThat(took).as("gave up early instead of waiting the whole startup wait")
          .isLessThan(Duration.ofSeconds(14));
      Throwable t = catchThrowable(() -> b.jobStore().find(JobId.generate(Clock.systemUTC())));
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
      NatsBackend b2 = closeLater(NatsBackend.connect(inUrl, new MetricsTap()));
      assertThat(b2.isReady()).isFalse();
      Throwable t2 = catchThrowable(() -> b2.jobQueue().backlog());
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
                NatsTestSupport.settings(server).startupWait(Duration.ofSeconds(1)).build(), m));
    assertThat(b.isReady()).isFalse();
    assertThat(m.recorded.natsConnected()).isZero();
    assertThatThrownBy(() -> b.jobQueue().publish(
            new Job(JobId.generate(Clock.systemUTC()), Operation.of("diag.echo"),
                OperationKind.QUERY, Target.parse("_any"), Instant.now())))
        .isInstanceOf(BackendUnavailableException.class)
        .hasMessageContaining("not connected");

    Thread.sleep(1000); // several failed attempts: DISCONNECTED each time
    server.restart();
    assertThat(b.awaitReady(Duration.ofSeconds(20))).isTrue();
    assertThat(m.connectedTransitions()).containsExactly(0, 1);
    assertThat(m.recorded.natsReconnects()).as("a first connection is not a reconnect").isZero();
    assertThat(b.jobStore().index()).isEmpty();
    assertThat(m.recorded.subsystems()).containsEntry("nats", true);
  }

  private static void dumpThreads() {
    for (var en : Thread.getAllStackTraces().entrySet()) {
      StringBuilder sb = new StringBuilder("THREAD " + en.getKey().getName() + "\n");
      for (StackTraceElement el : en.getValue()) {
        sb.append("    at ").append(el).append('\n');
      }
      System.err.print(sb);
    }
  }

  private static String stackTrace(Throwable t) {
    StringWriter sw = new StringWriter();
    t.printStackTrace(new PrintWriter(sw));
    return sw.toString();
  }
}
