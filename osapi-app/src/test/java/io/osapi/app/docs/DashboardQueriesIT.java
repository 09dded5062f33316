package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.adapter.otel.Exposition;
import io.osapi.app.it.Http;
import io.osapi.app.it.NatsServer;
import io.osapi.app.it.OsProcess;
import io.osapi.app.it.Osapi;
import io.osapi.app.it.PrometheusServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard and the PromQL of the docs against a real Prometheus that scraped a real run:
 * nats-server, a controller and a worker (the jar, scrape jobs osapi-controller and osapi-worker
 * from docs/prometheus/prometheus.yml, every second), ~25 s of jobs with failures, one NATS
 * restart, a poison and a duplicate notification. Then every {@code expr} of
 * docs/grafana/osapi.json must return data, every PromQL example of docs/metrics.md must be
 * accepted, and the alert rules must have evaluated without error, OsapiNatsDisconnected having
 * gone pending during the restart.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DashboardQueriesIT {
  private static final Duration LOAD = Duration.ofSeconds(24);

  private NatsServer nats;
  private Osapi controller;
  private Osapi worker;
  private PrometheusServer prometheus;
  private final AtomicInteger submitted = new AtomicInteger();
  private final AtomicInteger refused = new AtomicInteger();

  @BeforeAll
  void run(@TempDir Path dir) throws Exception {
    nats = NatsServer.start(dir);
    controller = Osapi.controller(dir, nats.url());
    worker = Osapi.worker(dir, nats.url(), "dash-w1");
    try {
      prometheus = PrometheusServer.start(dir, configFromDocs(
          controller.metricsTarget(), worker.metricsTarget()));
      controller.awaitReady();
      worker.awaitReady();

      AtomicBoolean stop = new AtomicBoolean();
      Thread load = new Thread(() -> drive(stop), "load");
      load.start();
      long t0 = System.nanoTime();
      OsProcess.sleep(4000);
      String done = firstCompletedEcho();
      nats.publishNotifications("not-a-job-id", done);
      OsProcess.sleep(6000);
      nats.stop();
      OsProcess.sleep(3000);
      nats.startAgain();
      controller.awaitReady();
      worker.awaitReady();
      long left = LOAD.toMillis() - (System.nanoTime() - t0) / 1_000_000;
      OsProcess.sleep(Math.max(0, left));
      stop.set(true);
      load.join();
      assertThat(submitted.get()).as("jobs accepted (%s refused)", refused.get())
          .isGreaterThan(100);
    } catch (Throwable t) {
      dump();
      throw t;
    }
  }

  /** Submits ~10 jobs a second: 6 echo, 2 short sleeps, 2 failures in every 10. */
  private void drive(AtomicBoolean stop) {
    int i = 0;
    while (!stop.get()) {
      String id = switch (i++ % 10) {
        case 6, 7 -> controller.submit("diag.sleep", "{\"seconds\":0.2}");
        case 8, 9 -> controller.submit("diag.fail", null);
        default -> controller.submit("diag.echo", "{\"i\":" + i + "}");
      };
      (id == null ? refused : submitted).incrementAndGet();
      OsProcess.sleep(100);
    }
  }

  private String firstCompletedEcho() {
    for (int tries = 0; tries < 50; tries++) {
      String id = controller.submit("diag.echo", "{\"duplicate\":true}");
      if (id != null) {
        controller.awaitEnded(List.of(id), Duration.ofSeconds(20));
        return id;
      }
      OsProcess.sleep(200);
    }
    throw new AssertionError("no job could be submitted");
  }

  private void dump() {
    for (Object p : new Object[] {nats, controller, worker, prometheus}) {
      if (p instanceof Osapi o) {
        System.err.println(o.report());
      } else if (p instanceof NatsServer n) {
        System.err.println(n.report());
      } else if (p instanceof PrometheusServer s) {
        System.err.println(s.report());
      }
    }
  }

  @AfterAll
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {prometheus, worker, controller, nats}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  /**
   * {@code docs/prometheus/prometheus.yml} as an operator would adapt it: the targets replaced by
   * the test's processes, 1 s scrape and evaluation intervals, the rule file by its full path.
   */
  static String configFromDocs(String controllerTarget, String workerTarget) {
    String yml = DocFiles.read("docs/prometheus/prometheus.yml");
    String alerts = DocFiles.file("docs/prometheus/alerts.yml").toAbsolutePath().toString();
    String out = replace(yml, "scrape_interval: 15s", "scrape_interval: 1s");
    out = replace(out, "evaluation_interval: 15s", "evaluation_interval: 1s");
    out = replace(out, "\"127.0.0.1:9090\"", "\"" + controllerTarget + "\"");
    out = replace(out, "\"127.0.0.1:9091\"", "\"" + workerTarget + "\"");
    return replace(out, "- alerts.yml", "- " + alerts);
  }

  private static String replace(String text, String what, String with) {
    assertThat(text).as("docs/prometheus/prometheus.yml has %s", what).contains(what);
    return text.replace(what, with);
  }

  /** Every {@code expr} of the dashboard, by panel title and refId. */
  static Map<String, String> dashboardExpressions() {
    JsonNode dash = Http.json(DocFiles.read("docs/grafana/osapi.json"));
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonNode panel : dash.path("panels")) {
      for (JsonNode t : panel.path("targets")) {
        out.put(panel.path("title").asText() + " / " + t.path("refId").asText(),
            t.path("expr").asText());
      }
    }
    return out;
  }

  /** Queries until the answer has data or {@code timeout} passes; returns the last answer. */
  private JsonNode queryUntilData(String expr, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    JsonNode r;
    do {
      r = prometheus.query(expr);
      if (r.path("status").asText().equals("success") && !r.path("data").path("result").isEmpty()) {
        return r;
      }
      OsProcess.sleep(500);
    } while (System.nanoTime() < end);
    return r;
  }

  @Test
  void bothScrapeJobsAreUp() {
    JsonNode up = queryUntilData("up{job=~\"osapi-controller|osapi-worker\"} == 1",
        Duration.ofSeconds(10));
    assertThat(up.path("data").path("result").findValuesAsText("job"))
        .containsExactlyInAnyOrder("osapi-controller", "osapi-worker");
  }

  @Test
  void everyDashboardQueryReturnsData() {
    Map<String, String> exprs = dashboardExpressions();
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(12);
    Map<String, String> failed = new LinkedHashMap<>();
    long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    for (Map.Entry<String, String> e : exprs.entrySet()) {
      Duration left = Duration.ofNanos(Math.max(0, end - System.nanoTime()));
      JsonNode r = queryUntilData(e.getValue(), left);
      if (!r.path("status").asText().equals("success")) {
        failed.put(e.getKey(), e.getValue() + " -> " + r);
      } else if (r.path("data").path("result").isEmpty()) {
        failed.put(e.getKey(), e.getValue() + " -> no data");
      }
    }
    if (!failed.isEmpty()) {
      dump();
    }
    assertThat(failed).as("dashboard queries without data").isEmpty();
  }

  @Test
  void controllerAndWorkerExportTheFamiliesDocumentedForThem() {
    Map<String, MetricsReferenceIT.Documented> documented =
        MetricsReferenceIT.documentedFamilies(DocFiles.read("docs/metrics.md"));
    for (Map.Entry<String, Osapi> e : Map.of("controller", controller, "worker", worker)
        .entrySet()) {
      String kind = e.getKey();
      Set<String> exported = Exposition.parse(e.getValue().scrape()).names();
      Set<String> wrongProcess = new TreeSet<>();
      for (String name : exported) {
        MetricsReferenceIT.Documented d = documented.get(name);
        if (d == null || !d.exportedBy(kind)) {
          wrongProcess.add(name);
        }
      }
      Set<String> missing = new TreeSet<>();
      documented.values().stream().filter(d -> d.exportedBy(kind) && !d.onFirstEvent())
          .map(MetricsReferenceIT.Documented::name).filter(n -> !exported.contains(n))
          .forEach(missing::add);
      assertThat(wrongProcess).as("families the %s exports that docs/metrics.md does not list"
          + " for it", kind).isEmpty();
      assertThat(missing).as("families docs/metrics.md lists for the %s that it does not export",
          kind).isEmpty();
    }
  }

  @Test
  void everyPromqlExampleOfTheMetricsReferenceIsAccepted() {
    DocFiles.Table t = DocFiles.tableWithHeader(DocFiles.read("docs/metrics.md"), "family", "type");
    int col = t.column("PromQL example");
    List<String> bad = new ArrayList<>();
    int n = 0;
    for (List<String> row : t.rows()) {
      String expr = DocFiles.onlyCode(row.get(col));
      assertThat(expr).as("PromQL example of %s is one backticked expression", row.get(0))
          .isNotNull();
      n++;
      JsonNode r = prometheus.query(expr);
      if (!r.path("status").asText().equals("success")) {
        bad.add(expr + " -> " + r);
      }
    }
    assertThat(n).isGreaterThan(20);
    assertThat(bad).as("PromQL examples Prometheus refuses").isEmpty();
  }

  @Test
  void theAlertRulesLoadEvaluateAndSawTheNatsRestart() {
    JsonNode groups = prometheus.rules().path("data").path("groups");
    List<String> names = new ArrayList<>();
    List<String> unhealthy = new ArrayList<>();
    for (JsonNode g : groups) {
      for (JsonNode rule : g.path("rules")) {
        names.add(rule.path("name").asText());
        if (!rule.path("health").asText().equals("ok")) {
          unhealthy.add(rule.path("name").asText() + ": " + rule.path("health").asText() + " "
              + rule.path("lastError").asText());
        }
      }
    }
    assertThat(names).contains("OsapiTargetDown", "OsapiNatsDisconnected",
        "OsapiJobFailureRatioHigh", "OsapiJobsDeadLettered");
    assertThat(unhealthy).as("rules that failed to evaluate").isEmpty();
    JsonNode pending = queryUntilData(
        "max_over_time(ALERTS{alertname=\"OsapiNatsDisconnected\",alertstate=\"pending\"}[10m])",
        Duration.ofSeconds(5));
    assertThat(pending.path("data").path("result").findValuesAsText("job"))
        .as("OsapiNatsDisconnected pending during the NATS restart")
        .contains("osapi-controller", "osapi-worker");
    JsonNode dead = queryUntilData("ALERTS{alertname=\"OsapiJobsDeadLettered\"}",
        Duration.ofSeconds(5));
    assertThat(dead.path("data").path("result").findValuesAsText("operation"))
        .as("OsapiJobsDeadLettered firing for the poison notification").contains("other");
  }
}
