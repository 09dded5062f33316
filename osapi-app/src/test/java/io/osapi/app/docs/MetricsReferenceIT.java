package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.adapter.otel.Exposition;
import io.osapi.adapter.otel.Promtool;
import io.osapi.app.it.Http;
import io.osapi.app.it.NatsServer;
import io.osapi.app.it.Osapi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md against the real thing: nats-server and the all-in-one jar with {@code --nats},
 * real jobs (completed, failed, slow), a NATS restart, a poison notification and a duplicate one,
 * then one scrape. Every exported family must be in the families table, and every listed family
 * not marked <i>(on first event)</i> must be exported; types, label names, bounded label values,
 * bucket bounds and units must be as documented; the scrape passes {@code promtool check metrics}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MetricsReferenceIT {
  static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
  private static final String WORKER = "docs-w1";

  private NatsServer nats;
  private Osapi app;
  private String text;
  private Exposition scrape;
  private Exposition openMetrics;
  private final String doc = DocFiles.read("docs/metrics.md");

  @BeforeAll
  void runJobsAndScrape(@TempDir Path dir) throws Exception {
    nats = NatsServer.start(dir);
    app = Osapi.allInOne(dir, nats.url(), WORKER, "--concurrency", "4");
    try {
      app.awaitReady();
      List<String> ids = new ArrayList<>();
      ids.add(app.submit("diag.echo", "{\"hello\":\"docs\"}"));
      ids.add(app.submit("diag.fail", null));
      ids.add(app.submit("diag.sleep", "{\"seconds\":0.3}"));
      ids.add(app.submit("system.hostname.get", null));
      assertThat(ids).doesNotContainNull();
      app.awaitEnded(ids, Duration.ofSeconds(30));
      assertThat(app.status(ids.get(0))).isEqualTo("completed");
      assertThat(app.status(ids.get(1))).isEqualTo("failed");

      // A NATS restart: osapi_nats_reconnects_total and a dip of osapi_nats_connected.
      nats.stop();
      app.await("osapi_nats_connected 0", Duration.ofSeconds(15),
          () -> app.scrape().contains("\nosapi_nats_connected 0"));
      nats.startAgain();
      app.await("a reconnect counted", Duration.ofSeconds(30),
          () -> app.scrape().contains("\nosapi_nats_reconnects_total 1"));
      app.awaitReady();

      // A poison notification (not a job) is dead-lettered as operation="other"; a second
      // notification of a finished job is settled without running it again (its run says it is
      // done), so the next job is the second diag.echo completion below.
      nats.publishNotifications("not-a-job");
      nats.republishNotification(ids.get(0));
      app.await("the poison notification dead-lettered", Duration.ofSeconds(20),
          () -> app.scrape().contains("osapi_jobs_dead_lettered_total{operation=\"other\"} 1"));
      app.await("the duplicate settled", Duration.ofSeconds(20),
          () -> app.scrape().contains("\nosapi_jobs_pending{operation=\"diag.echo\"} 0")
              && app.scrape().contains("\nosapi_jobs_ack_pending 0"));

      String after = app.submit("diag.echo", "{\"after\":\"restart\"}");
      assertThat(after).isNotNull();
      app.awaitEnded(List.of(after), Duration.ofSeconds(30));
      app.await("the job after the restart counted", Duration.ofSeconds(10),
          () -> app.scrape().contains(
              "osapi_jobs_completed_total{operation=\"diag.echo\",status=\"completed\"} 2"));
      assertThat(Http.status(app.api("/jobs/" + after))).isEqualTo(200);
      assertThat(Http.status(app.api("/workers"))).isEqualTo(200);

      text = app.scrape();
      scrape = Exposition.parse(text);
      openMetrics = Exposition.parse(app.scrape(OPENMETRICS));
    } catch (Throwable t) {
      System.err.println(app.report() + "\n" + nats.report());
      throw t;
    }
  }

  @AfterAll
  void stop() {
    if (app != null) {
      app.close();
    }
    if (nats != null) {
      nats.close();
    }
  }

  /** One row of the families table. */
  record Documented(String name, String type, Set<String> labels, String unit, String process,
      boolean onFirstEvent) {
    /** Whether the process column names {@code kind} (controller, worker) or every process. */
    boolean exportedBy(String kind) {
      return process.contains(kind) || process.contains("every process");
    }
  }

  /** The families table of docs/metrics.md, by family name. */
  static Map<String, Documented> documentedFamilies(String doc) {
    DocFiles.Table t = DocFiles.tableWithHeader(doc, "family", "type", "labels", "unit");
    Map<String, Documented> out = new LinkedHashMap<>();
    for (List<String> r : t.rows()) {
      String name = DocFiles.onlyCode(r.get(0));
      assertThat(name).as("first cell of %s is one backticked family name", r).isNotNull();
      assertThat(out).as("family %s listed twice", name).doesNotContainKey(name);
      out.put(name, new Documented(name, r.get(t.column("type")),
          new TreeSet<>(DocFiles.code(r.get(t.column("labels")))), r.get(t.column("unit")),
          r.get(t.column("process")), String.join(" ", r).contains("(on first event)")));
    }
    return out;
  }

  @Test
  void everyExportedFamilyIsDocumentedAndEveryDocumentedFamilyIsExported() {
    Map<String, Documented> documented = documentedFamilies(doc);
    Set<String> exported = scrape.names();
    Set<String> undocumented = new TreeSet<>(exported);
    undocumented.removeAll(documented.keySet());
    Set<String> missing = new TreeSet<>();
    documented.values().stream().filter(d -> !d.onFirstEvent())
        .map(Documented::name).filter(n -> !exported.contains(n)).forEach(missing::add);
    assertThat(undocumented).as("families exported but not in docs/metrics.md").isEmpty();
    assertThat(missing).as("families in docs/metrics.md (not marked '(on first event)') but not"
        + " exported; exported: %s", exported).isEmpty();
    // the run above causes every osapi event, so every osapi family is there
    assertThat(exported).containsAll(documented.keySet().stream()
        .filter(n -> n.startsWith("osapi_")).toList());
  }

  @Test
  void typesAndLabelNamesAreAsDocumented() {
    SoftAssertions soft = new SoftAssertions();
    for (Documented d : documentedFamilies(doc).values()) {
      if (!scrape.has(d.name())) {
        continue;
      }
      Exposition.Family f = scrape.family(d.name());
      soft.assertThat(f.type).as("type of %s", d.name()).isEqualTo(d.type());
      soft.assertThat(f.help).as("HELP of %s", d.name()).isNotBlank();
      Set<String> labels = new TreeSet<>();
      f.samples.forEach(s -> labels.addAll(s.labels().keySet()));
      labels.remove("le");
      soft.assertThat(labels).as("label names of %s", d.name()).isEqualTo(d.labels());
    }
    soft.assertAll();
  }

  @Test
  void boundedLabelsTakeOnlyTheDocumentedValues() {
    DocFiles.Table t = DocFiles.tableWithHeader(doc, "label", "values");
    Map<String, Set<String>> allowed = new TreeMap<>();
    for (List<String> r : t.rows()) {
      String label = DocFiles.onlyCode(r.get(0));
      if (label != null && !label.equals("worker")) {
        allowed.put(label, new TreeSet<>(DocFiles.code(r.get(1))));
      }
    }
    assertThat(allowed).containsKeys("operation", "status", "subsystem", "http_route");
    allowed.put("worker", Set.of(WORKER));
    SoftAssertions soft = new SoftAssertions();
    Map<String, Set<String>> seen = new TreeMap<>();
    for (String name : scrape.names()) {
      for (Exposition.Sample s : scrape.family(name).samples) {
        s.labels().forEach((k, v) -> {
          if (allowed.containsKey(k)) {
            seen.computeIfAbsent(k, x -> new TreeSet<>()).add(v);
            soft.assertThat(allowed.get(k)).as("value of label %s in %s", k, s).contains(v);
          }
        });
      }
    }
    soft.assertAll();
    // the run exercised these values, so the check above had something to check
    assertThat(seen.get("operation")).contains("diag.echo", "diag.fail", "diag.sleep",
        "system.hostname.get", "other");
    assertThat(seen.get("status")).containsExactlyInAnyOrder("completed", "failed");
    assertThat(seen.get("subsystem")).contains("nats", "http", "worker", "index");
    assertThat(seen.get("http_route")).contains("/api/v1/jobs", "/api/v1/jobs/{id}");
  }

  @Test
  void histogramBucketsAreTheDocumentedBounds() {
    DocFiles.Table t = DocFiles.tableWithHeader(doc, "family", "default upper bounds");
    assertThat(t.rows()).isNotEmpty();
    for (List<String> r : t.rows()) {
      String name = DocFiles.onlyCode(r.get(0));
      List<Double> bounds = new ArrayList<>();
      for (String b : r.get(1).split(",")) {
        bounds.add(Double.parseDouble(b.strip()));
      }
      Exposition.Family f = scrape.family(name);
      Map<Map<String, String>, List<Double>> perSeries = new LinkedHashMap<>();
      for (Exposition.Sample s : f.samples(name + "_bucket")) {
        Map<String, String> series = new TreeMap<>(s.labels());
        double le = Double.parseDouble(series.remove("le").replace("+Inf", "Infinity"));
        if (!Double.isInfinite(le)) {
          perSeries.computeIfAbsent(series, x -> new ArrayList<>()).add(le);
        }
      }
      assertThat(perSeries).as("bucket series of %s", name).isNotEmpty();
      perSeries.forEach((series, les) ->
          assertThat(les).as("bucket bounds of %s%s", name, series).isEqualTo(bounds));
    }
  }

  @Test
  void unitsAreTheOpenMetricsUnits() {
    SoftAssertions soft = new SoftAssertions();
    for (Documented d : documentedFamilies(doc).values()) {
      if (!scrape.has(d.name())) {
        continue;
      }
      String om = d.type().equals("counter") && d.name().endsWith("_total")
          ? d.name().substring(0, d.name().length() - "_total".length()) : d.name();
      soft.assertThat(openMetrics.has(om)).as("%s in the OpenMetrics scrape", om).isTrue();
      if (openMetrics.has(om)) {
        String unit = openMetrics.family(om).unit;
        soft.assertThat(unit == null ? "" : unit).as("UNIT of %s", om).isEqualTo(d.unit());
      }
    }
    soft.assertAll();
  }

  @Test
  void theScrapePassesPromtoolCheckMetrics() {
    Promtool.Result r = Promtool.checkMetrics(text);
    assertThat(r.exitCode()).as("promtool check metrics:\n%s", r.output()).isZero();
    assertThat(scrape.duplicateTypeLines()).isEmpty();
  }
}
