package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.RefusalReason;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The metrics contract ({@code docs/metrics.md}), checked on the literal exposition: every
 * osapi family of both tables, with its TYPE, HELP, labels, values and buckets; UNIT lines in
 * OpenMetrics; and {@code promtool check metrics} exit 0. (The http_* and jvm_* families have
 * their own tests.)
 */
@Timeout(30)
class MetricsContractTest {

  static final String HOSTNAME = "node.hostname.get";
  static final String EXEC = "command.exec";

  /** Every osapi family of the contract, by exposition name, with its Prometheus type. */
  static final Map<String, String> CONTRACT =
      Map.ofEntries(
          Map.entry("osapi_jobs_created_total", "counter"),
          Map.entry("osapi_jobs_completed_total", "counter"),
          Map.entry("osapi_job_duration_seconds", "histogram"),
          Map.entry("osapi_jobs_active", "gauge"),
          Map.entry("osapi_workers_connected", "gauge"),
          Map.entry("osapi_worker_jobs_processed_total", "counter"),
          Map.entry("osapi_nats_connected", "gauge"),
          Map.entry("osapi_nats_reconnects_total", "counter"),
          Map.entry("osapi_job_queue_wait_seconds", "histogram"),
          Map.entry("osapi_job_redeliveries_total", "counter"),
          Map.entry("osapi_jobs_dead_lettered_total", "counter"),
          Map.entry("osapi_job_runs_superseded_total", "counter"),
          Map.entry("osapi_job_runs_timed_out_total", "counter"),
          Map.entry("osapi_jobs_cancelled_total", "counter"),
          Map.entry("osapi_rollout_runs_released_total", "counter"),
          Map.entry("osapi_rollouts_stopped_total", "counter"),
          Map.entry("osapi_jobs_refused_total", "counter"),
          Map.entry("osapi_jobs_pending", "gauge"),
          Map.entry("osapi_job_queue_oldest_age_seconds", "gauge"),
          Map.entry("osapi_jobs_ack_pending", "gauge"),
          Map.entry("osapi_worker_concurrency", "gauge"),
          Map.entry("osapi_worker_heartbeat_age_seconds", "gauge"),
          Map.entry("osapi_workers_by_state", "gauge"),
          Map.entry("osapi_workers_stale", "gauge"),
          Map.entry("osapi_component_up", "gauge"),
          Map.entry("osapi_subsystem_up", "gauge"),
          Map.entry("osapi_api_auth_failures_total", "counter"),
          Map.entry("osapi_audit_records_total", "counter"),
          Map.entry("osapi_audit_write_failures_total", "counter"));

  private OtelMetricsBackend backend;
  private OtelJobMetrics metrics;

  @BeforeEach
  void setUp() {
    backend =
        new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
    metrics = backend.jobMetrics(Set.of(HOSTNAME, EXEC));
    recordKnownValues(backend, metrics);
  }

  @AfterEach
  void tearDown() {
    backend.close();
  }

  /** The scenario every assertion below is about. */
  static void recordKnownValues(OtelMetricsBackend backend, OtelJobMetrics m) {
    m.jobCreated(HOSTNAME);
    m.jobCreated(HOSTNAME);
    m.jobCreated(HOSTNAME);
    m.jobCreated(EXEC);
    m.jobCreated("not.registered");
    m.jobCreated("also.not.registered");
    m.jobCreated(null);

    m.workerConnected("worker-1", 4);
    m.workerConnected("worker-2", 2);

    m.jobStarted(HOSTNAME, Duration.ofMillis(20));
    m.jobStarted(HOSTNAME, Duration.ofMillis(20));
    m.jobStarted(EXEC, null); // a redelivery: no queue wait
    m.jobStarted(EXEC, Duration.ofSeconds(5));

    m.jobReturned(HOSTNAME);
    m.jobReturned(HOSTNAME);
    m.jobReturned(EXEC);
    m.jobFinished(HOSTNAME, "worker-1", JobOutcome.COMPLETED, Duration.ofMillis(150));
    m.jobFinished(HOSTNAME, "worker-2", JobOutcome.FAILED, Duration.ofSeconds(2));
    m.jobFinished(EXEC, "worker-1", JobOutcome.RELEASED, Duration.ofSeconds(1));

    m.jobRedelivered(EXEC);
    m.jobRedelivered(EXEC);
    m.jobDeadLettered(EXEC);
    m.jobSuperseded(EXEC);
    m.jobRefused(EXEC, RefusalReason.BAD_SIGNATURE);
    m.jobRefused(EXEC, RefusalReason.BAD_SIGNATURE);
    m.jobRefused(HOSTNAME, RefusalReason.NOT_ALLOWED);
    m.jobRefused("not.registered", RefusalReason.NOT_ALLOWED);

    backend.connectionMetrics().connectionUp(true);
    backend.connectionMetrics().reconnected();
    backend.fleetMetrics().queueBacklog(7, 2);
    backend.fleetMetrics().jobQueues(java.util.Map.of(HOSTNAME,
        new io.osapi.core.domain.OperationQueue(7, Duration.ofSeconds(90)), "other",
        io.osapi.core.domain.OperationQueue.EMPTY));
    backend.fleetMetrics().workerHeartbeatAges(
        Map.of("worker-1", Duration.ofMillis(1500), "worker-2", Duration.ofMillis(250)));
    backend.fleetMetrics().workersByState(Map.of(io.osapi.core.domain.SchedulingState.READY, 2L,
        io.osapi.core.domain.SchedulingState.CORDONED, 1L));
    m.jobRunTimedOut(HOSTNAME);
    m.rolloutReleased(HOSTNAME, 2);
    m.rolloutStopped(HOSTNAME);
    backend.healthMetrics().componentUp(true);
    backend.healthMetrics().subsystemUp("nats", true);
    backend.healthMetrics().subsystemUp("http", false);
    backend.accessMetrics().authFailure("forbidden");
    backend.accessMetrics().authFailure("forbidden");
    backend.accessMetrics().authFailure("expired");
    backend.accessMetrics().authFailure("no such reason");
    backend.accessMetrics().auditRecorded();
    backend.accessMetrics().auditWriteFailed();
  }

  private Exposition scrapeText() {
    ScrapeResult r = backend.scrape(null);
    assertThat(r.ok()).as("scrape: %s", r).isTrue();
    assertThat(r.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
    return Exposition.parse(r.bodyText());
  }

  @Test
  void workersByStateAndTimedOutRunsAreExported() {
    Exposition e = scrapeText();
    assertThat(e.family("osapi_workers_by_state").labelValues("state"))
        .containsExactlyInAnyOrder("ready", "draining", "cordoned");
    assertThat(e.family("osapi_workers_by_state")
        .sample("osapi_workers_by_state", Map.of("state", "cordoned")).value()).isEqualTo(1.0);
    assertThat(e.family("osapi_job_runs_timed_out_total")
        .sample("osapi_job_runs_timed_out_total", Map.of("operation", HOSTNAME)).value())
        .isEqualTo(1.0);
  }

  @Test
  void authFailuresHaveOnlyTheirFourReasonsAndAuditCountersCount() {
    Exposition e = scrapeText();
    Exposition.Family f = e.family("osapi_api_auth_failures_total");
    assertThat(f.labelValues("reason"))
        .containsExactlyInAnyOrder("missing", "invalid", "expired", "forbidden");
    assertThat(f.sample("osapi_api_auth_failures_total", Map.of("reason", "forbidden")).value())
        .isEqualTo(2.0);
    assertThat(f.sample("osapi_api_auth_failures_total", Map.of("reason", "invalid")).value())
        .isEqualTo(1.0); // the unknown reason
    assertThat(f.sample("osapi_api_auth_failures_total", Map.of("reason", "missing")).value())
        .isEqualTo(0.0);
    assertThat(e.family("osapi_audit_records_total")
        .sample("osapi_audit_records_total", Map.of()).value()).isEqualTo(1.0);
    assertThat(e.family("osapi_audit_write_failures_total")
        .sample("osapi_audit_write_failures_total", Map.of()).value()).isEqualTo(1.0);
  }

  @Test
  void everyContractFamilyHasItsExactNameTypeAndHelp() {
    String text = backend.scrape(null).bodyText();
    Exposition e = Exposition.parse(text);
    CONTRACT.forEach(
        (name, type) -> {
          assertThat(text).contains("# TYPE " + name + " " + type + "\n");
          Exposition.Family f = e.family(name);
          assertThat(f.type).as("type of %s", name).isEqualTo(type);
          assertThat(f.help).as("HELP of %s", name).isNotBlank();
          assertThat(f.samples).as("samples of %s", name).isNotEmpty();
        });
    Set<String> osapiFamilies =
        e.names().stream().filter(n -> n.startsWith("osapi_")).collect(Collectors.toSet());
    assertThat(osapiFamilies).as("no osapi family beyond the contract").isEqualTo(CONTRACT.keySet());
    assertThat(e.duplicateTypeLines()).isEmpty();
    assertThat(text).doesNotContain("target_info").doesNotContain("otel_scope_");
  }

  @Test
  void countersCarryTheRecordedValuesAndBoundedLabels() {
    Exposition e = scrapeText();

    Exposition.Family created = e.family("osapi_jobs_created_total");
    assertThat(created.sample("osapi_jobs_created_total", Map.of("operation", HOSTNAME)).value())
        .isEqualTo(3.0);
    assertThat(created.sample("osapi_jobs_created_total", Map.of("operation", EXEC)).value())
        .isEqualTo(1.0);
    assertThat(created.sample("osapi_jobs_created_total", Map.of("operation", "other")).value())
        .isEqualTo(3.0);
    assertThat(created.labelValues("operation")).containsExactlyInAnyOrder(HOSTNAME, EXEC, "other");

    Exposition.Family completed = e.family("osapi_jobs_completed_total");
    // every registered operation (and other) has both statuses in place at 0 from the worker's
    // start, so rate() sees the first failure; two of them moved
    assertThat(completed.samples.stream().filter(x -> x.value() != 0.0)).hasSize(2);
    assertThat(completed.labelValues("status")).containsExactlyInAnyOrder("completed", "failed");
    assertThat(
            completed
                .sample(
                    "osapi_jobs_completed_total",
                    Map.of("operation", HOSTNAME, "status", "completed"))
                .value())
        .isEqualTo(1.0);
    assertThat(
            completed
                .sample(
                    "osapi_jobs_completed_total", Map.of("operation", HOSTNAME, "status", "failed"))
                .value())
        .isEqualTo(1.0);
    assertThat(completed.labelValues("status")).isSubsetOf("completed", "failed");

    Exposition.Family processed = e.family("osapi_worker_jobs_processed_total");
    assertThat(
            processed
                .sample("osapi_worker_jobs_processed_total", Map.of("worker", "worker-1"))
                .value())
        .as("RELEASED is not counted as processed")
        .isEqualTo(1.0);
    assertThat(
            processed
                .sample("osapi_worker_jobs_processed_total", Map.of("worker", "worker-2"))
                .value())
        .isEqualTo(1.0);

    assertThat(
            e.family("osapi_job_redeliveries_total")
                .sample("osapi_job_redeliveries_total", Map.of("operation", EXEC))
                .value())
        .isEqualTo(2.0);
    assertThat(
            e.family("osapi_jobs_dead_lettered_total")
                .sample("osapi_jobs_dead_lettered_total", Map.of("operation", EXEC))
                .value())
        .isEqualTo(1.0);
    assertThat(
            e.family("osapi_nats_reconnects_total")
                .sample("osapi_nats_reconnects_total", Map.of())
                .value())
        .isEqualTo(1.0);

    Exposition.Family superseded = e.family("osapi_job_runs_superseded_total");
    assertThat(superseded.sample("osapi_job_runs_superseded_total", Map.of("operation", EXEC)).value())
        .isEqualTo(1.0);
    assertThat(
            superseded
                .sample("osapi_job_runs_superseded_total", Map.of("operation", HOSTNAME))
                .value())
        .as("in place at 0 since the worker connected")
        .isZero();
    assertThat(superseded.labelValues("operation"))
        .containsExactlyInAnyOrder(HOSTNAME, EXEC, "other");
  }

  @Test
  void supersededRunsAreTheirOwnFamilyLiterally() {
    String text = backend.scrape(null).bodyText();
    assertThat(text)
        .contains(
            "# HELP osapi_job_runs_superseded_total Runs whose outcome was dropped because another"
                + " delivery had taken the job over (compare-and-set lost); not counted in"
                + " osapi_jobs_completed_total.\n"
                + "# TYPE osapi_job_runs_superseded_total counter\n")
        .contains("osapi_job_runs_superseded_total{operation=\"" + EXEC + "\"} 1.0\n")
        .contains("osapi_job_runs_superseded_total{operation=\"" + HOSTNAME + "\"} 0.0\n")
        .contains("osapi_job_runs_superseded_total{operation=\"other\"} 0.0\n");
    String open = backend.scrape("application/openmetrics-text;version=1.0.0").bodyText();
    assertThat(open)
        .contains("# TYPE osapi_job_runs_superseded counter\n")
        .contains("osapi_job_runs_superseded_total{operation=\"" + EXEC + "\"} 1.0\n");
  }

  @Test
  void refusedJobsAreCountedByOperationAndReasonWithBoundedLabels() {
    String text = backend.scrape(null).bodyText();
    Exposition.Family f = Exposition.parse(text).family("osapi_jobs_refused_total");
    assertThat(text).contains("# HELP osapi_jobs_refused_total Jobs a worker refused without"
        + " running them, by reason: not_allowed");
    assertThat(f.sample("osapi_jobs_refused_total",
        Map.of("operation", EXEC, "reason", "bad_signature")).value()).isEqualTo(2.0);
    assertThat(f.sample("osapi_jobs_refused_total",
        Map.of("operation", HOSTNAME, "reason", "not_allowed")).value()).isEqualTo(1.0);
    assertThat(f.sample("osapi_jobs_refused_total",
        Map.of("operation", "other", "reason", "not_allowed")).value())
        .as("an unregistered type folds into other").isEqualTo(1.0);
    assertThat(f.sample("osapi_jobs_refused_total",
        Map.of("operation", HOSTNAME, "reason", "bad_signature")).value())
        .as("in place at 0 since the worker connected").isZero();
    assertThat(f.labelValues("operation")).containsExactlyInAnyOrder(HOSTNAME, EXEC, "other");
    assertThat(f.labelValues("reason")).containsExactlyInAnyOrder("not_allowed", "bad_signature");
    String open = backend.scrape("application/openmetrics-text;version=1.0.0").bodyText();
    assertThat(open).contains("# TYPE osapi_jobs_refused counter\n");
  }

  @Test
  void gaugesCarryTheCachedValues() {
    Exposition e = scrapeText();
    assertThat(gauge(e, "osapi_jobs_active", Map.of())).as("4 started, 3 returned").isEqualTo(1.0);
    assertThat(gauge(e, "osapi_workers_connected", Map.of())).isEqualTo(2.0);
    assertThat(gauge(e, "osapi_worker_concurrency", Map.of())).isEqualTo(6.0);
    assertThat(gauge(e, "osapi_nats_connected", Map.of())).isEqualTo(1.0);
    assertThat(gauge(e, "osapi_jobs_pending", Map.of("operation", HOSTNAME))).isEqualTo(7.0);
    assertThat(gauge(e, "osapi_jobs_pending", Map.of("operation", "other"))).isZero();
    assertThat(e.family("osapi_jobs_pending").labelValues("operation"))
        .containsExactlyInAnyOrder(HOSTNAME, "other");
    assertThat(gauge(e, "osapi_job_queue_oldest_age_seconds", Map.of("operation", HOSTNAME)))
        .isEqualTo(90.0);
    assertThat(gauge(e, "osapi_job_queue_oldest_age_seconds", Map.of("operation", "other")))
        .isZero();
    assertThat(gauge(e, "osapi_jobs_ack_pending", Map.of())).isEqualTo(2.0);
    assertThat(gauge(e, "osapi_worker_heartbeat_age_seconds", Map.of("worker", "worker-1")))
        .isEqualTo(1.5);
    assertThat(gauge(e, "osapi_worker_heartbeat_age_seconds", Map.of("worker", "worker-2")))
        .isEqualTo(0.25);
    assertThat(gauge(e, "osapi_workers_stale", Map.of())).as("none older than 30 s").isZero();
    assertThat(gauge(e, "osapi_component_up", Map.of())).isEqualTo(1.0);
    assertThat(gauge(e, "osapi_subsystem_up", Map.of("subsystem", "nats"))).isEqualTo(1.0);
    assertThat(gauge(e, "osapi_subsystem_up", Map.of("subsystem", "http"))).isEqualTo(0.0);
  }

  private static double gauge(Exposition e, String name, Map<String, String> labels) {
    return e.family(name).sample(name, labels).value();
  }

  @Test
  void histogramsAreInSecondsWithTheConfiguredBuckets() {
    Exposition e = scrapeText();

    Exposition.Family duration = e.family("osapi_job_duration_seconds");
    Map<String, String> completed = Map.of("operation", HOSTNAME, "status", "completed");
    assertThat(bucketBounds(duration, "osapi_job_duration_seconds_bucket", completed))
        .isEqualTo(withInf(OtelJobMetrics.DEFAULT_DURATION_BUCKETS));
    assertThat(duration.sample("osapi_job_duration_seconds_count", completed).value())
        .isEqualTo(1.0);
    assertThat(duration.sample("osapi_job_duration_seconds_sum", completed).value())
        .isCloseTo(0.15, within(1e-9));
    assertThat(bucket(duration, "osapi_job_duration_seconds_bucket", completed, "0.1")).isZero();
    assertThat(bucket(duration, "osapi_job_duration_seconds_bucket", completed, "0.25"))
        .isEqualTo(1.0);
    Map<String, String> failed = Map.of("operation", HOSTNAME, "status", "failed");
    assertThat(duration.sample("osapi_job_duration_seconds_sum", failed).value()).isEqualTo(2.0);
    assertThat(bucket(duration, "osapi_job_duration_seconds_bucket", failed, "1.0")).isZero();
    assertThat(bucket(duration, "osapi_job_duration_seconds_bucket", failed, "2.5"))
        .isEqualTo(1.0);
    assertThat(duration.labelValues("status")).containsExactlyInAnyOrder("completed", "failed");

    Exposition.Family wait = e.family("osapi_job_queue_wait_seconds");
    Map<String, String> host = Map.of("operation", HOSTNAME);
    assertThat(bucketBounds(wait, "osapi_job_queue_wait_seconds_bucket", host))
        .isEqualTo(withInf(OtelJobMetrics.DEFAULT_QUEUE_WAIT_BUCKETS));
    assertThat(wait.sample("osapi_job_queue_wait_seconds_count", host).value()).isEqualTo(2.0);
    assertThat(wait.sample("osapi_job_queue_wait_seconds_sum", host).value())
        .isCloseTo(0.04, within(1e-9));
    assertThat(bucket(wait, "osapi_job_queue_wait_seconds_bucket", host, "0.01")).isZero();
    assertThat(bucket(wait, "osapi_job_queue_wait_seconds_bucket", host, "0.05")).isEqualTo(2.0);
    Map<String, String> exec = Map.of("operation", EXEC);
    assertThat(wait.sample("osapi_job_queue_wait_seconds_count", exec).value())
        .as("the redelivery start has no queue wait")
        .isEqualTo(1.0);
    assertThat(wait.sample("osapi_job_queue_wait_seconds_sum", exec).value()).isEqualTo(5.0);
  }

  @Test
  void bucketBoundariesAreConfigurable() {
    try (OtelMetricsBackend custom =
        new OtelMetricsBackend(
            OtelMetricsConfig.builder()
                .runtimeMetricsEnabled(false)
                .durationBuckets(List.of(0.5, 1.0, 30.0))
                .queueWaitBuckets(List.of(0.1, 60.0))
                .build())) {
      OtelJobMetrics m = custom.jobMetrics(Set.of(HOSTNAME));
      m.jobStarted(HOSTNAME, Duration.ofMillis(10));
      m.jobFinished(HOSTNAME, "w", JobOutcome.COMPLETED, Duration.ofSeconds(3));
      Exposition e = Exposition.parse(custom.scrape(null).bodyText());
      assertThat(
              bucketBounds(
                  e.family("osapi_job_duration_seconds"),
                  "osapi_job_duration_seconds_bucket",
                  Map.of("operation", HOSTNAME, "status", "completed")))
          .containsExactly(0.5, 1.0, 30.0, Double.POSITIVE_INFINITY);
      assertThat(
              bucketBounds(
                  e.family("osapi_job_queue_wait_seconds"),
                  "osapi_job_queue_wait_seconds_bucket",
                  Map.of("operation", HOSTNAME)))
          .containsExactly(0.1, 60.0, Double.POSITIVE_INFINITY);
    }
  }

  private static List<Double> withInf(List<Double> bounds) {
    List<Double> all = new ArrayList<>(bounds);
    all.add(Double.POSITIVE_INFINITY);
    return all;
  }

  private static List<Double> bucketBounds(
      Exposition.Family f, String bucketName, Map<String, String> labels) {
    List<Double> bounds = new ArrayList<>();
    for (Exposition.Sample s : f.samples(bucketName)) {
      Map<String, String> rest = new java.util.HashMap<>(s.labels());
      String le = rest.remove("le");
      if (rest.equals(labels)) {
        bounds.add(le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le));
      }
    }
    return bounds;
  }

  private static double bucket(
      Exposition.Family f, String bucketName, Map<String, String> labels, String le) {
    Map<String, String> withLe = new java.util.HashMap<>(labels);
    withLe.put("le", le);
    return f.sample(bucketName, withLe).value();
  }

  @Test
  void openMetricsHasUnitLinesForTheSecondsFamilies() {
    ScrapeResult r =
        backend.scrape(
            "application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
                + "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1");
    assertThat(r.ok()).isTrue();
    assertThat(r.contentType()).startsWith("application/openmetrics-text; version=1.0.0");
    String text = r.bodyText();
    assertThat(text).endsWith("# EOF\n");
    Exposition e = Exposition.parse(text);
    for (String seconds :
        List.of(
            "osapi_job_duration_seconds",
            "osapi_job_queue_wait_seconds",
            "osapi_worker_heartbeat_age_seconds")) {
      assertThat(text).contains("# UNIT " + seconds + " seconds\n");
      assertThat(e.family(seconds).unit).isEqualTo("seconds");
      assertThat(e.family(seconds).help).isNotBlank();
    }
    // OpenMetrics names a counter family without _total; its samples keep it
    assertThat(text).contains("# TYPE osapi_jobs_created counter\n");
    assertThat(text).contains("osapi_jobs_created_total{operation=\"" + HOSTNAME + "\"} 3.0\n");
    assertThat(e.family("osapi_jobs_created").help).isNotBlank();
  }

  @Test
  void textExpositionPassesPromtool() {
    ScrapeResult r = backend.scrape("text/plain;version=0.0.4");
    Promtool.Result check = Promtool.checkMetrics(r.bodyText());
    assertThat(check.exitCode()).as("promtool check metrics said:%n%s", check.output()).isZero();
  }
}
