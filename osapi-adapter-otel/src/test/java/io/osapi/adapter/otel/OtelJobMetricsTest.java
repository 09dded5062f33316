package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.osapi.core.domain.JobOutcome;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The behaviour of {@link OtelJobMetrics} beyond the names: series lifecycle, bounds, odd input. */
@Timeout(30)
class OtelJobMetricsTest {

  static final String OP = "node.hostname.get";

  private final OtelMetricsBackend backend =
      new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
  private final OtelJobMetrics metrics = backend.jobMetrics(Set.of(OP));
  private final OtelFleetMetrics fleet = backend.fleetMetrics();
  private final OtelConnectionMetrics connection = backend.connectionMetrics();
  private final OtelHealthMetrics health = backend.healthMetrics();

  @AfterEach
  void tearDown() {
    backend.close();
  }

  private Exposition scrape() {
    ScrapeResult r = backend.scrape(null);
    assertThat(r.ok()).as("%s", r).isTrue();
    return Exposition.parse(r.bodyText());
  }

  @Test
  void aWorkerThatLeavesLosesItsSeries() {
    metrics.workerConnected("w1", 2);
    metrics.workerConnected("w2", 3);
    metrics.jobFinished(OP, "w1", JobOutcome.COMPLETED, Duration.ofMillis(5));
    metrics.jobFinished(OP, "w1", JobOutcome.FAILED, Duration.ofMillis(5));
    metrics.jobFinished(OP, "w2", JobOutcome.COMPLETED, Duration.ofMillis(5));

    Exposition before = scrape();
    assertThat(before.family("osapi_worker_jobs_processed_total").labelValues("worker"))
        .containsExactlyInAnyOrder("w1", "w2");
    assertThat(
            before
                .family("osapi_worker_jobs_processed_total")
                .sample("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))
                .value())
        .isEqualTo(2.0);

    metrics.workerDisconnected("w1");

    Exposition after = scrape();
    assertThat(after.family("osapi_worker_jobs_processed_total").labelValues("worker"))
        .containsExactly("w2");
    assertThat(after.family("osapi_workers_connected").samples.get(0).value()).isEqualTo(1.0);
    assertThat(after.family("osapi_worker_concurrency").samples.get(0).value()).isEqualTo(3.0);

    // a job of w1 that ends after w1 left goes to "other", it does not bring w1 back
    metrics.jobFinished(OP, "w1", JobOutcome.COMPLETED, Duration.ofMillis(5));
    Exposition late = scrape();
    assertThat(late.family("osapi_worker_jobs_processed_total").labelValues("worker"))
        .containsExactlyInAnyOrder("w2", "other");

    metrics.workerDisconnected("w2");
    assertThat(scrape().family("osapi_worker_jobs_processed_total").labelValues("worker"))
        .containsExactly("other");
  }

  @Test
  void heartbeatAgeSeriesFollowTheLatestMap() {
    fleet.workerHeartbeatAges(Map.of("a", Duration.ofSeconds(1), "b", Duration.ofSeconds(2)));
    assertThat(scrape().family("osapi_worker_heartbeat_age_seconds").labelValues("worker"))
        .containsExactlyInAnyOrder("a", "b");
    fleet.workerHeartbeatAges(Map.of("b", Duration.ofSeconds(3)));
    Exposition e = scrape();
    assertThat(e.family("osapi_worker_heartbeat_age_seconds").labelValues("worker"))
        .containsExactly("b");
    assertThat(
            e.family("osapi_worker_heartbeat_age_seconds")
                .sample("osapi_worker_heartbeat_age_seconds", Map.of("worker", "b"))
                .value())
        .isEqualTo(3.0);
  }

  @Test
  void staleWorkersAreCountedOverTheWholeFleetPastTheSeriesCap() {
    assertThat(scrape().has("osapi_workers_stale")).as("unknown before the first refresh")
        .isFalse();
    java.util.Map<String, Duration> ages = new java.util.HashMap<>();
    int fleetSize = 2000;
    for (int i = 0; i < fleetSize; i++) {
      // every third worker is stale; the last ones by id are past the series cap
      ages.put(String.format("w%05d", i), Duration.ofSeconds(i % 3 == 0 ? 31 : 5));
    }
    ages.put("w99999", Duration.ofSeconds(30)); // at the bound: not stale
    fleet.workerHeartbeatAges(ages);
    Exposition e = scrape();
    assertThat(e.family("osapi_worker_heartbeat_age_seconds").labelValues("worker"))
        .hasSize(OtelFleetMetrics.MAX_HEARTBEAT_WORKERS);
    assertThat(e.family("osapi_workers_stale").sample("osapi_workers_stale", Map.of()).value())
        .isEqualTo(667.0);
    fleet.workerHeartbeatAges(Map.of("a", Duration.ofSeconds(1)));
    assertThat(scrape().family("osapi_workers_stale").sample("osapi_workers_stale", Map.of())
        .value()).isZero();
  }

  @Test
  void natsConnectedIsIdempotentAndReconnectsCountOnlyReconnects() {
    assertThat(scrape().has("osapi_nats_connected")).as("unknown before the first report").isFalse();

    connection.connectionUp(true);
    connection.connectionUp(true);
    connection.connectionUp(true);
    assertThat(natsConnected()).isEqualTo(1.0);
    assertThat(scrape().family("osapi_nats_reconnects_total")
            .sample("osapi_nats_reconnects_total", Map.of()).value())
        .as("connected calls are not reconnects; the counter exists at 0 from the first event")
        .isEqualTo(0.0);

    connection.connectionUp(false);
    connection.connectionUp(false); // jnats: one DISCONNECTED per failed attempt
    connection.connectionUp(false);
    assertThat(natsConnected()).isEqualTo(0.0);

    connection.reconnected();
    connection.connectionUp(true);
    connection.connectionUp(true);
    assertThat(natsConnected()).isEqualTo(1.0);

    // out of order: reconnected reported before connected(true)
    connection.connectionUp(false);
    connection.reconnected();
    connection.connectionUp(true);
    assertThat(natsConnected()).isEqualTo(1.0);
    assertThat(
            scrape()
                .family("osapi_nats_reconnects_total")
                .sample("osapi_nats_reconnects_total", Map.of())
                .value())
        .isEqualTo(2.0);
  }

  private double natsConnected() {
    return scrape().family("osapi_nats_connected").sample("osapi_nats_connected", Map.of()).value();
  }

  @Test
  void activeIsLoweredWhenTheOperationReturnsAndAReleaseCountsNothing() {
    metrics.workerConnected("w1", 1);
    metrics.jobStarted(OP, Duration.ofMillis(1));
    metrics.jobStarted(OP, null);
    assertThat(scrape().family("osapi_jobs_active").samples.get(0).value()).isEqualTo(2.0);
    metrics.jobReturned(OP);
    assertThat(scrape().family("osapi_jobs_active").samples.get(0).value()).isEqualTo(1.0);
    metrics.jobFinished(OP, "w1", JobOutcome.RELEASED, Duration.ofSeconds(1));
    Exposition e = scrape();
    assertThat(e.family("osapi_jobs_active").samples.get(0).value())
        .as("settling does not lower it again").isEqualTo(1.0);
    assertThat(e.family("osapi_jobs_completed_total").samples)
        .as("in place at 0 since the worker connected, not counted by a release")
        .isNotEmpty()
        .allMatch(x -> x.value() == 0.0);
    assertThat(e.has("osapi_job_duration_seconds")).isFalse();
    assertThat(
            e.family("osapi_worker_jobs_processed_total")
                .sample("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))
                .value())
        .as("a connected worker's series starts at 0; RELEASED does not count")
        .isZero();
  }

  @Test
  void aSupersededRunIsNotAFinishedJob() {
    metrics.workerConnected("w1", 2);
    metrics.jobStarted(OP, Duration.ofMillis(1));
    // the run's compare-and-set lost: the worker drops its outcome and counts it superseded
    metrics.jobSuperseded(OP);
    metrics.jobSuperseded(OP);
    Exposition e = scrape();
    assertThat(
            e.family("osapi_job_runs_superseded_total")
                .sample("osapi_job_runs_superseded_total", Map.of("operation", OP))
                .value())
        .isEqualTo(2.0);
    assertThat(e.family("osapi_job_runs_superseded_total").labelValues("operation"))
        .containsExactlyInAnyOrder(OP, "other");
    assertThat(e.family("osapi_jobs_completed_total").samples).allMatch(x -> x.value() == 0.0);
    assertThat(
            e.family("osapi_worker_jobs_processed_total")
                .sample("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))
                .value())
        .isZero();
    assertThat(metrics.internalErrors()).isZero();
  }

  @Test
  void workerSideCountersStartAtZeroOnlyInAWorker() {
    metrics.jobCreated(OP);
    Exposition controller = scrape();
    assertThat(controller.has("osapi_job_runs_superseded_total"))
        .as("a controller alone runs no jobs")
        .isFalse();
    assertThat(controller.has("osapi_job_redeliveries_total")).isFalse();
    assertThat(controller.family("osapi_jobs_dead_lettered_total").samples)
        .as("the controller's dead-letter handler counts dead letters: in place at 0")
        .extracting(Exposition.Sample::value)
        .containsOnly(0.0);
    assertThat(controller.family("osapi_jobs_dead_lettered_total").labelValues("operation"))
        .containsExactlyInAnyOrder(OP, "other");

    metrics.workerConnected("w1", 1);
    Exposition worker = scrape();
    assertThat(worker.family("osapi_job_runs_superseded_total").labelValues("operation"))
        .containsExactlyInAnyOrder(OP, "other");
    assertThat(worker.family("osapi_job_runs_superseded_total").samples)
        .extracting(Exposition.Sample::value)
        .containsOnly(0.0);
  }

  @Test
  void aFirstDeadLetterPutsTheOthersInPlace() {
    try (OtelMetricsBackend b =
        new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build())) {
      OtelJobMetrics m = b.jobMetrics(Set.of(OP, "diag.echo"));
      m.jobDeadLettered(OP); // a controller's dead-letter handler before any job was created
      Exposition e = Exposition.parse(b.scrape(null).bodyText());
      Exposition.Family f = e.family("osapi_jobs_dead_lettered_total");
      assertThat(f.sample("osapi_jobs_dead_lettered_total", Map.of("operation", OP)).value())
          .isEqualTo(1.0);
      assertThat(f.sample("osapi_jobs_dead_lettered_total", Map.of("operation", "diag.echo"))
              .value())
          .isZero();
      assertThat(f.labelValues("operation")).containsExactlyInAnyOrder(OP, "diag.echo", "other");
    }
  }

  @Test
  void fiveThousandUnknownOperationsFoldIntoOther() {
    for (int i = 0; i < 5_000; i++) {
      String op = "unknown.operation." + i;
      metrics.jobCreated(op);
      metrics.jobStarted(op, Duration.ofMillis(i % 100));
      metrics.jobReturned(op);
      metrics.jobFinished(op, "w" + i, JobOutcome.COMPLETED, Duration.ofMillis(i % 1000));
      metrics.jobRedelivered(op);
      metrics.jobDeadLettered(op);
      metrics.jobSuperseded(op);
    }
    metrics.jobCreated(OP);
    ScrapeResult r = backend.scrape(null);
    Exposition e = Exposition.parse(r.bodyText());
    for (String family :
        Set.of(
            "osapi_jobs_created_total",
            "osapi_jobs_completed_total",
            "osapi_job_duration_seconds",
            "osapi_job_queue_wait_seconds",
            "osapi_job_redeliveries_total",
            "osapi_jobs_dead_lettered_total",
            "osapi_job_runs_superseded_total")) {
      assertThat(e.family(family).labelValues("operation")).as(family).isSubsetOf(OP, "other");
    }
    assertThat(e.family("osapi_jobs_created_total").labelValues("operation"))
        .containsExactlyInAnyOrder(OP, "other");
    assertThat(
            e.family("osapi_jobs_created_total")
                .sample("osapi_jobs_created_total", Map.of("operation", "other"))
                .value())
        .isEqualTo(5000.0);
    assertThat(e.family("osapi_worker_jobs_processed_total").labelValues("worker"))
        .as("unknown workers fold too")
        .containsExactly("other");
    assertThat(r.bodyText()).doesNotContain("otel_metric_overflow");
    assertThat(metrics.internalErrors()).isZero();
  }

  @Test
  void theCardinalityLimitIsAppliedAndCanBeRaised() {
    // what the fold above protects against: past the limit the SDK folds into an overflow series
    LongCounter raw =
        backend.meterProvider().get("test").counterBuilder("test.unbounded").build();
    AttributeKey<String> key = AttributeKey.stringKey("id");
    for (int i = 0; i < 2_100; i++) {
      raw.add(1, Attributes.of(key, "id-" + i));
    }
    assertThat(backend.scrape(null).bodyText()).contains("otel_metric_overflow=\"true\"");

    try (OtelMetricsBackend raised =
        new OtelMetricsBackend(
            OtelMetricsConfig.builder()
                .runtimeMetricsEnabled(false)
                .cardinalityLimit(5_000)
                .build())) {
      LongCounter c = raised.meterProvider().get("test").counterBuilder("test.unbounded").build();
      for (int i = 0; i < 2_100; i++) {
        c.add(1, Attributes.of(key, "id-" + i));
      }
      String text = raised.scrape(null).bodyText();
      assertThat(text).doesNotContain("otel_metric_overflow");
      assertThat(Exposition.parse(text).family("test_unbounded_total").samples).hasSize(2_100);
    }
  }

  @Test
  void oddInputsNeverThrow() {
    String huge = "x".repeat(1_000_000);
    Map<String, Duration> ages = new HashMap<>();
    ages.put(null, Duration.ofSeconds(1));
    ages.put("nullAge", null);
    ages.put(huge, Duration.ofSeconds(1));
    ages.put("ok-worker", Duration.ofSeconds(-5));
    assertThatCode(
            () -> {
              metrics.jobCreated(null);
              metrics.jobCreated(huge);
              metrics.jobStarted(null, null);
              metrics.jobStarted(huge, Duration.ofSeconds(-3));
              metrics.jobStarted(OP, Duration.ofSeconds(Long.MAX_VALUE / 2));
              metrics.jobReturned(null);
              metrics.jobReturned(huge);
              metrics.jobFinished(null, null, null, null);
              metrics.jobFinished(huge, huge, JobOutcome.COMPLETED, Duration.ofMillis(-1));
              metrics.jobFinished(OP, null, JobOutcome.FAILED, null);
              metrics.jobRedelivered(null);
              metrics.jobDeadLettered(huge);
              metrics.jobSuperseded(null);
              metrics.jobSuperseded(huge);
              metrics.workerConnected(null, 3);
              metrics.workerConnected(huge, -7);
              metrics.workerConnected("", 1);
              metrics.workerDisconnected(null);
              metrics.workerDisconnected("never-connected");
              fleet.queueBacklog(-1, Long.MIN_VALUE);
              fleet.jobQueues(null);
              java.util.Map<String, io.osapi.core.domain.OperationQueue> q = new java.util.HashMap<>();
              q.put(null, io.osapi.core.domain.OperationQueue.EMPTY);
              q.put("diag.echo", null);
              q.put("other", io.osapi.core.domain.OperationQueue.EMPTY);
              fleet.jobQueues(q);
              fleet.workerHeartbeatAges(null);
              fleet.workerHeartbeatAges(ages);
              health.subsystemUp(null, true);
              health.subsystemUp(huge, true);
              health.subsystemUp("nats", true);
              connection.connectionUp(false);
              connection.reconnected();
              health.componentUp(false);
            })
        .doesNotThrowAnyException();
    assertThat(metrics.internalErrors()).isZero();

    ScrapeResult r = backend.scrape(null);
    assertThat(r.ok()).isTrue();
    String text = r.bodyText();
    assertThat(text).doesNotContain("xxxxxxxxxx");
    Exposition e = Exposition.parse(text);
    assertThat(e.family("osapi_worker_heartbeat_age_seconds").labelValues("worker"))
        .containsExactly("ok-worker");
    assertThat(
            e.family("osapi_worker_heartbeat_age_seconds")
                .sample("osapi_worker_heartbeat_age_seconds", Map.of("worker", "ok-worker"))
                .value())
        .as("negative ages clamp to 0")
        .isZero();
    assertThat(e.family("osapi_subsystem_up").labelValues("subsystem")).containsExactly("nats");
    assertThat(e.family("osapi_jobs_pending").labelValues("operation")).containsExactly("other");
    assertThat(e.family("osapi_jobs_pending").samples.get(0).value()).isZero();
    assertThat(e.family("osapi_jobs_ack_pending").samples.get(0).value()).isZero();
    assertThat(Promtool.checkMetrics(text).exitCode()).isZero();
  }

  @Test
  void recordingAfterTheBackendClosedDoesNotThrow() {
    backend.close();
    assertThatCode(
            () -> {
              metrics.jobCreated(OP);
              metrics.jobStarted(OP, Duration.ofMillis(1));
              metrics.jobReturned(OP);
              metrics.jobFinished(OP, "w", JobOutcome.COMPLETED, Duration.ofMillis(1));
              metrics.close();
            })
        .doesNotThrowAnyException();
    assertThat(backend.scrape(null).ok()).isFalse();
  }

  @Test
  void subsystemsAreBounded() {
    for (int i = 0; i < OtelHealthMetrics.MAX_SUBSYSTEMS + 10; i++) {
      health.subsystemUp("s" + i, true);
    }
    assertThat(scrape().family("osapi_subsystem_up").samples)
        .hasSize(OtelHealthMetrics.MAX_SUBSYSTEMS);
  }

  @Test
  void labelRule() {
    assertThat(OtelJobMetrics.isValidLabel("worker-1.example_x")).isTrue();
    assertThat(OtelJobMetrics.isValidLabel("-worker")).isFalse();
    assertThat(OtelJobMetrics.isValidLabel("a b")).isFalse();
    assertThat(OtelJobMetrics.isValidLabel("")).isFalse();
    assertThat(OtelJobMetrics.isValidLabel("a".repeat(65))).isFalse();
  }
}
