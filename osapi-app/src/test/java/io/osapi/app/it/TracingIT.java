package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.opentelemetry.proto.trace.v1.Span.SpanKind;
import io.osapi.adapter.otel.OtlpTraceReceiver;
import io.osapi.adapter.otel.OtlpTraceReceiver.ReceivedSpan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * One job followed from the CLI through the controller and NATS to the workers, three kinds of
 * process from the jar exporting to an OTLP/HTTP receiver inside the test (decoded with
 * opentelemetry-proto): the CLI's span is the root, the controller's server span and
 * {@code job.create} are under it, each run's {@code job.process} under the create; a worker
 * SIGKILLed mid-run leaves the survivor's run as a second {@code job.process} in the same trace.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TracingIT {
  private static final Pattern TRACE_ID = Pattern.compile("trace_id: ([0-9a-f]{32})");
  private static final Duration EXPORT = Duration.ofSeconds(30);

  private static Path dir;
  private static OtlpTraceReceiver receiver;
  private static NatsServer nats;
  private static Osapi controller;
  private static Osapi w1;
  private static Osapi w2;

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")), "tracing-");
    receiver = OtlpTraceReceiver.start();
    nats = NatsServer.start(dir);
    String traces = receiver.endpoint().toString();
    controller = Osapi.controller(dir, nats.url(), "--otlp-traces-endpoint", traces);
    w1 = Osapi.worker(dir, nats.url(), "tr-w1", "--ack-wait", "2s",
        "--otlp-traces-endpoint", traces, "--log-format", "json");
    w2 = Osapi.worker(dir, nats.url(), "tr-w2", "--ack-wait", "2s",
        "--otlp-traces-endpoint", traces, "--log-format", "json");
    controller.awaitReady();
    w1.awaitReady();
    w2.awaitReady();
  }

  @AfterAll
  static void stop() {
    for (AutoCloseable c : new AutoCloseable[] {w1, w2, controller, nats, receiver}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // best effort
      }
    }
  }

  /** Submits with the CLI, tracing configured by the standard variable; returns the trace id. */
  private static String[] cliSubmit(String name, String type, String data, boolean wait) {
    List<String> args = new java.util.ArrayList<>(List.of("job", "submit", "--type", type,
        "--data", data));
    if (wait) {
      args.add("--wait");
    }
    OsProcess cli = OsProcess.start(name, dir, Map.of(
        "OSAPI_CONTROLLER", "http://127.0.0.1:" + controller.apiPort,
        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.base().toString()),
        OsProcess.javaJar(OsProcess.jar(), args.toArray(String[]::new)));
    assertThat(cli.awaitExit(Duration.ofSeconds(60))).as(cli.report()).isZero();
    Matcher t = TRACE_ID.matcher(cli.stdout());
    assertThat(t.find()).as(cli.stdout()).isTrue();
    Matcher id = Pattern.compile("job ([0-9a-f-]{36})").matcher(cli.stdout());
    assertThat(id.find()).as(cli.stdout()).isTrue();
    return new String[] {id.group(1), t.group(1)};
  }

  private static List<ReceivedSpan> trace(String traceId) {
    return receiver.spans().stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  private static ReceivedSpan one(List<ReceivedSpan> spans, String name) {
    List<ReceivedSpan> named = spans.stream().filter(s -> s.name().equals(name)).toList();
    assertThat(named).as("spans named %s in %s", name, spans).hasSize(1);
    return named.get(0);
  }

  @Test
  @Order(1)
  void aJobSubmittedByTheCliIsOneTraceOverThreeProcesses() {
    String[] submitted = cliSubmit("cli-traced", "diag.echo", "{\"traced\":true}", true);
    String jobId = submitted[0];
    String traceId = submitted[1];
    OsProcess.waitFor("the four spans of trace " + traceId, EXPORT,
        () -> trace(traceId).size() >= 4);
    List<ReceivedSpan> spans = trace(traceId);

    ReceivedSpan cli = one(spans, "job submit");
    assertThat(cli.service()).isEqualTo("osapi-cli");
    assertThat(cli.kind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
    assertThat(cli.parentSpanId()).isEmpty();

    ReceivedSpan server = one(spans, "POST /api/v1/jobs");
    assertThat(server.service()).isEqualTo("osapi-controller");
    assertThat(server.kind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(server.parentSpanId()).isEqualTo(cli.spanId());
    assertThat(server.attributes()).containsEntry("http.route", "/api/v1/jobs")
        .containsEntry("http.response.status_code", "201");

    ReceivedSpan create = one(spans, "job.create");
    assertThat(create.service()).isEqualTo("osapi-controller");
    assertThat(create.kind()).isEqualTo(SpanKind.SPAN_KIND_PRODUCER);
    assertThat(create.parentSpanId()).isEqualTo(server.spanId());
    assertThat(create.attributes()).containsEntry("osapi.job.id", jobId)
        .containsEntry("osapi.operation", "diag.echo");

    ReceivedSpan run = one(spans, "job.process");
    assertThat(run.service()).isEqualTo("osapi-worker");
    assertThat(run.kind()).isEqualTo(SpanKind.SPAN_KIND_CONSUMER);
    assertThat(run.parentSpanId()).isEqualTo(create.spanId());
    assertThat(run.attributes()).containsEntry("messaging.system", "nats")
        .containsEntry("messaging.operation.type", "process")
        .containsEntry("messaging.nats.message.delivery_count", "1")
        .containsEntry("osapi.job.id", jobId)
        .containsEntry("osapi.operation", "diag.echo")
        .containsEntry("osapi.job.attempt", "1")
        .containsKey("messaging.destination.name");
    assertThat(run.attributes().get("osapi.worker.id")).isIn("tr-w1", "tr-w2");
    assertThat(run.events()).containsExactly("run.claimed", "run.end_written");

    // the job's detail names the trace
    JsonNode job = controller.job(jobId);
    assertThat(job.path("trace_id").asText()).isEqualTo(traceId);
  }

  @Test
  @Order(2)
  void aWorkerKilledMidRunLeavesASecondProcessSpanOnTheSurvivor() {
    String[] submitted = cliSubmit("cli-sleep", "diag.sleep", "{\"seconds\":3}", false);
    String jobId = submitted[0];
    String traceId = submitted[1];
    String[] victim = new String[1];
    controller.await("the sleep to start", Duration.ofSeconds(30), () -> {
      JsonNode d = controller.job(jobId);
      for (String w : List.of("tr-w1", "tr-w2")) {
        if (d != null && "running".equals(d.at("/workers/" + w + "/state").asText())) {
          victim[0] = w;
          return true;
        }
      }
      return false;
    });
    Osapi dead = victim[0].equals("tr-w1") ? w1 : w2;
    String survivor = victim[0].equals("tr-w1") ? "tr-w2" : "tr-w1";
    dead.kill();
    controller.await("the job completed on " + survivor, Duration.ofSeconds(60), () ->
        "completed".equals(controller.job(jobId).path("status").asText()));
    OsProcess.waitFor("the survivor's job.process span", EXPORT,
        () -> trace(traceId).stream().anyMatch(s -> s.name().equals("job.process")));
    List<ReceivedSpan> spans = trace(traceId);
    ReceivedSpan create = one(spans, "job.create");
    ReceivedSpan run = one(spans, "job.process"); // the killed worker's span died with it
    assertThat(run.attributes()).containsEntry("osapi.worker.id", survivor)
        .containsEntry("messaging.nats.message.delivery_count", "2")
        .containsEntry("osapi.job.attempt", "2");
    assertThat(run.parentSpanId()).isEqualTo(create.spanId());
    assertThat(run.traceId()).isEqualTo(traceId);
    // the survivor's log line about the run carries the trace, the run's span and the job
    Osapi alive = dead == w1 ? w2 : w1;
    JsonNode line = alive.process().stderr().lines()
        .filter(l -> l.startsWith("{") && l.contains(jobId))
        .map(l -> Http.json(l))
        .filter(j -> j.path("message").asText().contains("delivery 2 runs on"))
        .findFirst().orElseThrow(() -> new AssertionError("no JSON log line of " + jobId + ":\n"
            + alive.process().stderr()));
    assertThat(line.path("trace_id").asText()).isEqualTo(traceId);
    assertThat(line.path("span_id").asText()).isEqualTo(run.spanId());
    assertThat(line.path("job_id").asText()).isEqualTo(jobId);
    assertThat(line.path("level").asText()).isEqualTo("INFO");
    assertThat(line.path("logger").asText()).isNotBlank();
    assertThat(line.path("time").asText()).endsWith("Z");
    // a line written outside any job has no ids (the positive control is the line above)
    JsonNode started = alive.process().stderr().lines().filter(l -> l.startsWith("{"))
        .map(l -> Http.json(l)).filter(j -> j.path("message").asText().contains("started"))
        .findFirst().orElseThrow();
    assertThat(started.has("trace_id") || started.has("job_id")).as(started.toString()).isFalse();
  }

  @Test
  @Order(3)
  void histogramsCarryExemplarsOfSampledTracesThatPrometheusReturns() throws Exception {
    Osapi worker = w1.isAlive() ? w1 : w2;
    Path promDir = Files.createDirectories(dir.resolve("prometheus"));
    // each exemplar is in one collection only (the SDK's reservoirs reset when collected): the
    // test scrapes nothing itself while Prometheus does, and submits once Prometheus scrapes both
    try (PrometheusServer prom = PrometheusServer.start(promDir, "global:\n"
        + "  scrape_interval: 1s\n"
        + "scrape_configs:\n"
        + "  - job_name: osapi\n"
        + "    static_configs:\n"
        + "      - targets: ['" + controller.metricsTarget() + "', '" + worker.metricsTarget()
        + "']\n", List.of("--enable-feature=exemplar-storage"))) {
      OsProcess.waitFor("Prometheus to scrape both processes", Duration.ofSeconds(30),
          () -> prom.query("up == 1").path("data").path("result").size() == 2);
      String traceId = cliSubmit("cli-exemplar", "diag.echo", "{}", true)[1];
      for (String family : List.of("osapi_job_duration_seconds_bucket",
          "http_server_request_duration_seconds_bucket")) {
        try {
          OsProcess.waitFor("the exemplar of " + family + " in Prometheus",
              Duration.ofSeconds(30),
              () -> prom.queryExemplars(family).path("data").toString().contains(traceId));
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "\n" + prom.queryExemplars(family) + "\n"
              + prom.report(), e);
        }
      }
      // each exemplar names a trace that was exported
      for (JsonNode series : prom.queryExemplars("osapi_job_duration_seconds_bucket")
          .path("data")) {
        for (JsonNode e : series.path("exemplars")) {
          String t = e.path("labels").path("trace_id").asText();
          assertThat(receiver.spans().stream().anyMatch(x -> x.traceId().equals(t)))
              .as("trace %s of an exemplar was received", t).isTrue();
        }
      }
    }
    // the exposition itself, with Prometheus gone: a bucket line ends with the exemplar
    String traceId = cliSubmit("cli-exemplar-2", "diag.echo", "{}", true)[1];
    String[] om = new String[1];
    OsProcess.waitFor("an exemplar of osapi_job_duration_seconds", Duration.ofSeconds(10), () -> {
      om[0] = worker.scrape("application/openmetrics-text; version=1.0.0");
      return om[0].contains("trace_id=\"" + traceId + "\"");
    });
    assertThat(om[0]).containsPattern("osapi_job_duration_seconds_bucket\\{[^}]*\\} \\d+ # \\{"
        + "span_id=\"[0-9a-f]{16}\",trace_id=\"" + traceId + "\"\\} [0-9.E-]+ [0-9.]+");
  }
}
