package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.docs.OpenApiContract.Exchange;
import io.osapi.app.it.Http;
import io.osapi.app.it.NatsServer;
import io.osapi.app.it.OsProcess;
import io.osapi.app.it.Osapi;
import io.osapi.app.it.Ports;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract test of {@code docs/openapi.yaml}: a real osapi (the jar), once all-in-one on the
 * embedded broker and once a controller and a worker on a real nats-server, is driven through
 * every operation of the document with good and bad requests alike, and every real exchange is
 * checked against the document ({@link OpenApiContract}): a request that conforms must get an
 * answer the document lists, with the headers and the body schema it gives (the schemas allow no
 * other fields); a request the document forbids must be refused with such an answer; paths and
 * methods it does not list must get its {@code NoSuchEndpoint} or {@code MethodNotAllowed}. On
 * NATS, nats-server is then stopped: every operation but the document itself answers 503 as
 * documented, and so does {@code /health/ready}.
 */
class OpenApiContractIT {
  private static final String TOKEN = "contract-test-token-0123456789";
  private static final String UNKNOWN_JOB = "01a00000-0000-7000-8000-000000000000";
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "partial_failure");

  @TempDir Path dir;
  private final OpenApiContract contract = OpenApiContract.load();

  @Test
  void theEmbeddedBrokerAnswersAsDocumented() throws IOException {
    int api = Ports.free();
    int metrics = Ports.free();
    try (OsProcess app = OsProcess.start("all-in-one", dir, Map.of(), OsProcess.jarCommand(
        "--api-addr", "127.0.0.1:" + api, "--metrics-addr", "127.0.0.1:" + metrics,
        "--worker-id", "contract-1", "--labels", "group=web.dev",
        "--api-token-file", tokenFile().toString()))) {
      URI ready = URI.create("http://127.0.0.1:" + metrics + "/health/ready");
      app.await("all-in-one ready", Osapi.START, () -> Http.status(ready) == 200);
      everyOperation(new ContractClient(api, metrics, TOKEN), "contract-1");
      assertEveryOperationChecked();
    }
  }

  @Test
  void natsAnswersAsDocumentedAndSoDoesItsAbsence() throws IOException {
    try (NatsServer nats = NatsServer.start(dir);
        // each change while NATS is down is held for the create patience (15 s by default)
        // before its 503: the document's answer is the point here, not the wait
        Osapi controller = Osapi.controller(dir, nats.url(),
            "--api-token-file", tokenFile().toString(), "--create-patience", "1s");
        Osapi worker = Osapi.worker(dir, nats.url(), "contract-2", "--labels", "group=web.dev")) {
      controller.awaitReady();
      worker.awaitReady();
      ContractClient c = new ContractClient(controller.apiPort, controller.metricsPort, TOKEN);
      controller.await("the worker registered", Osapi.START,
          () -> c.api("GET", "/api/v1/workers", null).responseBody().contains("contract-2"));
      everyOperation(c, "contract-2");

      nats.stop();
      controller.await("503 while NATS is down", Duration.ofSeconds(30),
          () -> c.api("GET", "/api/v1/jobs/stats", null).status() == 503);
      String job = "/api/v1/jobs/" + UNKNOWN_JOB;
      for (Exchange x : List.of(c.api("GET", "/api/v1/jobs/stats", null),
          c.api("GET", "/api/v1/jobs?limit=5", null),
          c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}"),
          c.api("GET", job, null), c.api("DELETE", job, null),
          c.api("POST", job + "/retry", null), c.api("GET", "/api/v1/workers", null),
          c.api("POST", "/api/v1/workers/contract-2/drain", null),
          c.api("POST", "/api/v1/workers/contract-2/undrain", null))) {
        expect(x, 503);
        assertThat(x.responseHeaders().get("Retry-After")).containsExactly("5");
        contract.assertConforms(x);
      }
      Exchange doc = c.api("GET", "/api/v1/openapi.yaml", null);
      expect(doc, 200);
      contract.assertConforms(doc);
      conforms(c.api("GET", "/api/v1/me", null), 200); // the caller needs no store
      controller.await("/health/ready 503 while NATS is down", Duration.ofSeconds(30),
          () -> c.metrics("/health/ready", Map.of()).status() == 503);
      Exchange notReady = c.metrics("/health/ready", Map.of());
      expect(notReady, 503);
      contract.assertConforms(notReady);
      assertEveryOperationChecked();
    }
  }

  /** Every operation, good and bad requests, each exchange checked. */
  private void everyOperation(ContractClient c, String worker) {
    Exchange doc = c.api("GET", "/api/v1/openapi.yaml", null);
    expect(doc, 200);
    contract.assertConforms(doc);
    assertThat(doc.responseBody()).as("the served document is docs/openapi.yaml")
        .isEqualTo(contract.yaml());

    // jobs: _any with data, _all with nulls, a worker id, a label; each read until it ends
    String echo = created(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"hi\":1}}}"));
    String all = created(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":"
        + "\"system.hostname.get\",\"data\":null},\"target\":\"_all\",\"timeout_seconds\":30}"));
    String host = created(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.fail\"},\"target\":\"" + worker + "\"}"));
    String label = created(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"},"
        + "\"target\":\"group:web\",\"timeout_seconds\":null}"));
    for (String id : List.of(echo, all, host, label)) {
      awaitEnded(c, id);
    }
    // a batch: one created, one refused in its place; a batch that is no array is a 400
    Exchange batch = conforms(c.api("POST", "/api/v1/jobs/batch", "[{\"operation\":{\"type\":"
        + "\"diag.echo\",\"data\":{\"n\":1}}}, {\"operation\":{\"type\":\"no.such.op\"}}]"), 200);
    assertThat(json(batch).at("/items/0/status").asInt()).isEqualTo(201);
    assertThat(json(batch).at("/items/1/status").asInt()).isEqualTo(400);
    awaitEnded(c, json(batch).at("/items/0/job_id").asText());
    refused(c.api("POST", "/api/v1/jobs/batch", "[{\"operation\":"), 400);

    // listings, cursor paging, stats, workers
    Exchange page = conforms(c.api("GET", "/api/v1/jobs?limit=2", null), 200);
    String next = json(page).path("next").asText();
    assertThat(next).isNotEmpty();
    conforms(c.api("GET", "/api/v1/jobs?limit=2&after=" + next, null), 200);
    conforms(c.api("GET", "/api/v1/jobs?status=failed&offset=0&limit=100", null), 200);
    conforms(c.api("GET", "/api/v1/jobs?operation=diag.echo&target=_any&created_after="
        + "2020-01-01T00:00:00Z&created_before=2999-01-01T00:00:00Z&status=completed&limit=2",
        null), 200);
    refused(c.api("GET", "/api/v1/jobs?created_after=yesterday", null), 400);
    String ranOn = "/api/v1/jobs?worker=" + worker
        + "&operation=diag.echo&status=completed&created_after=2020-01-01T00:00:00Z&limit=2";
    await("the index lists the jobs that ran on " + worker).atMost(Duration.ofSeconds(30))
        .until(() -> json(conforms(c.api("GET", ranOn, null), 200)).path("total").asInt() > 0);
    conforms(c.api("GET", "/api/v1/jobs?worker=never-seen", null), 200);
    refused(c.api("GET", "/api/v1/jobs?worker=", null), 400);
    refused(c.api("GET", "/api/v1/jobs?worker=" + "w".repeat(65), null), 400);
    refused(c.api("GET", "/api/v1/jobs?worker=web%2001", null), 400);
    conforms(c.api("GET", "/api/v1/jobs?worker=web..01", null), 400);
    conforms(c.api("GET", "/api/v1/jobs?created_after=2026-02-01T00:00:00Z"
        + "&created_before=2026-01-01T00:00:00Z", null), 400);
    conforms(c.api("GET", "/api/v1/jobs", null), 200);
    conforms(c.api("GET", "/api/v1/jobs/stats", null), 200);
    assertThat(conforms(c.api("GET", "/api/v1/me", null), 200).responseBody())
        .contains("\"subject\":\"static-token\"", "workers:drain");
    assertThat(conforms(c.api("GET", "/api/v1/workers", null), 200).responseBody())
        .contains(worker);
    Exchange workers = conforms(c.api("GET", "/api/v1/workers?limit=1", null), 200);
    assertThat(json(workers).path("workers").size()).isEqualTo(1);
    conforms(c.api("GET", "/api/v1/workers?limit=1000&after="
        + json(workers).at("/workers/0/id").asText(), null), 200);

    // retry without a body, with one, with a null target
    awaitEnded(c, created(c.api("POST", "/api/v1/jobs/" + host + "/retry", null)));
    awaitEnded(c, created(c.api("POST", "/api/v1/jobs/" + echo + "/retry",
        "{\"target\":\"_any\"}")));
    awaitEnded(c, created(c.api("POST", "/api/v1/jobs/" + echo + "/retry", "{\"target\":null}")));
    conforms(c.api("GET", "/api/v1/jobs/" + echo, null), 200);

    // cancel a running job (202), again (409), an ended one (409), an unknown one (404)
    String sleeping = created(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.sleep\",\"data\":{\"seconds\":30}}}"));
    assertThat(json(conforms(c.api("POST", "/api/v1/jobs/" + sleeping + "/cancel", null), 202))
        .path("status").asText()).isEqualTo("cancelled");
    conforms(c.api("POST", "/api/v1/jobs/" + sleeping + "/cancel", "{}"), 409);
    conforms(c.api("POST", "/api/v1/jobs/" + echo + "/cancel", null), 409);
    conforms(c.api("POST", "/api/v1/jobs/" + UNKNOWN_JOB + "/cancel", null), 404);
    refused(c.api("POST", "/api/v1/jobs/" + echo + "/cancel", "{\"why\":1}"), 400);
    conforms(c.api("GET", "/api/v1/jobs/" + sleeping, null), 200);
    conforms(c.api("GET", "/api/v1/jobs/stats", null), 200);

    // drain and undrain, twice each
    String drain = "/api/v1/workers/" + worker + "/drain";
    String undrain = "/api/v1/workers/" + worker + "/undrain";
    conforms(c.api("POST", drain, null), 200);
    conforms(c.api("POST", drain, null), 409);
    conforms(c.api("GET", "/api/v1/workers", null), 200);
    conforms(c.api("POST", undrain, null), 200);
    conforms(c.api("POST", undrain, null), 409);
    conforms(c.api("POST", "/api/v1/workers/nobody/drain", null), 404);
    conforms(c.api("POST", "/api/v1/workers/nobody/undrain", null), 404);

    // the worker's key: a wrong fingerprint, accepted, twice, a verified end, rejected, twice
    String accept = "/api/v1/workers/" + worker + "/accept";
    String reject = "/api/v1/workers/" + worker + "/reject";
    conforms(c.api("POST", accept + "?fingerprint=SHA256:00000000000000000000000000000000",
        null), 409);
    conforms(c.api("POST", accept, null), 200);
    conforms(c.api("POST", accept, null), 409);
    String signed = created(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"}}"));
    awaitEnded(c, signed);
    assertThat(json(conforms(c.api("GET", "/api/v1/jobs/" + signed, null), 200))
        .path("verified").asBoolean()).isTrue();
    conforms(c.api("POST", reject, null), 200);
    conforms(c.api("POST", reject, null), 409);
    assertThat(json(conforms(c.api("GET", "/api/v1/jobs/" + signed, null), 200))
        .path("unverified_reason").asText()).contains("rejected");
    conforms(c.api("POST", "/api/v1/workers/nobody/accept", null), 404);
    conforms(c.api("POST", "/api/v1/workers/nobody/reject", null), 404);
    refused(c.api("POST", accept + "?who=1", null), 400);

    // delete, and what is left of a deleted or unknown job
    conforms(c.api("DELETE", "/api/v1/jobs/" + label, null), 204);
    conforms(c.api("GET", "/api/v1/jobs/" + label, null), 404);
    conforms(c.api("DELETE", "/api/v1/jobs/" + label, null), 404);
    conforms(c.api("POST", "/api/v1/jobs/" + label + "/retry", null), 404);
    conforms(c.api("GET", "/api/v1/jobs/" + UNKNOWN_JOB, null), 404);

    // the audit trail: the creates above, a page at a time, filtered, exported
    Exchange audit = conforms(c.api("GET", "/api/v1/audit?limit=2", null), 200);
    assertThat(json(audit).path("items").size()).isEqualTo(2);
    conforms(c.api("GET", "/api/v1/audit?limit=2&after=" + json(audit).path("next").asText(),
        null), 200);
    conforms(c.api("GET", "/api/v1/audit?subject=static-token&route=/api/v1/jobs&since=1h"
        + "&until=2999-01-01T00:00:00Z", null), 200);
    assertThat(conforms(c.api("GET", "/api/v1/audit/export?since=1h", null), 200)
        .responseBody()).contains("\"route\":\"/api/v1/jobs\"");
    for (String query : List.of("limit=0", "limit=1001", "page=2")) {
      refused(c.api("GET", "/api/v1/audit?" + query, null), 400);
    }
    for (String query : List.of("since=yesterday", "until=soon", "route=/x",
        "after=not-a-cursor")) {
      conforms(c.api("GET", "/api/v1/audit?" + query, null), 400);
    }
    conforms(c.api("GET", "/api/v1/audit/export?since=never", null), 400);

    // requests the document allows that the controller refuses all the same
    conforms(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"no.such.op\"}}"), 400);
    conforms(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"},\"timeout_seconds\":5}"), 400);
    conforms(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"nobody-here\"}"), 400);
    conforms(c.api("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"group:\"}"), 400);
    conforms(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}",
        Map.of("Authorization", "Bearer wrong-token-0123456789", "Content-Type",
            "application/json")), 401);
    conforms(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}",
        Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "application/json",
            "Origin", "http://evil.example")), 403);
    conforms(c.api("POST", "/api/v1/jobs/" + echo + "/retry", null,
        Map.of("Authorization", "Bearer " + TOKEN)), 415);
    conforms(c.raw("GET", "/api/v1/jobs/stats", Map.of("Host", "evil.example"), null), 421);

    // requests the document forbids
    for (String body : List.of("{}", "{\"operation\":{\"type\":\"diag.echo\"},\"priority\":1}",
        "{", "[1]", "{\"operation\":{\"type\":\"diag.echo\",\"data\":[1]}}",
        "{\"operation\":{\"type\":7}}",
        "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\",\"timeout_seconds\":0}")) {
      refused(c.api("POST", "/api/v1/jobs", body), 400);
    }
    for (String query : List.of("limit=0", "limit=101", "limit=ten", "offset=-1", "status=lost",
        "after=nope", "page=2", "limit=1&limit=2")) {
      refused(c.api("GET", "/api/v1/jobs?" + query, null), 400);
    }
    for (String query : List.of("limit=0", "limit=1001", "limit=ten", "after=-bad", "page=2",
        "limit=1&limit=2", "offset=1")) {
      refused(c.api("GET", "/api/v1/workers?" + query, null), 400);
    }
    refused(c.api("GET", "/api/v1/jobs/not-a-job", null), 400);
    refused(c.api("DELETE", "/api/v1/jobs/not-a-job", null), 400);
    refused(c.api("POST", "/api/v1/jobs/not-a-job/retry", null), 400);
    refused(c.api("POST", "/api/v1/jobs/" + echo + "/retry", "{\"target\":5}"), 400);
    refused(c.api("POST", "/api/v1/jobs/" + echo + "/retry", "{\"who\":1}"), 400);
    refused(c.api("POST", "/api/v1/workers/-bad/drain", null), 400);
    refused(c.api("GET", "/api/v1/jobs/stats", null, Map.of()), 401);
    refused(c.api("GET", "/api/v1/me", null, Map.of()), 401);
    refused(c.api("POST", "/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\"}}",
        Map.of("Authorization", "Bearer " + TOKEN, "Content-Type", "text/plain")), 415);

    // schedules: create (cron and every), list, read, pause, resume, delete, and bad input
    conforms(c.api("POST", "/api/v1/schedules", "{\"name\":\"nightly\",\"cron\":\"30 2 * * *\","
        + "\"timezone\":\"Europe/Paris\",\"job\":{\"operation\":{\"type\":\"diag.echo\","
        + "\"data\":{\"a\":1}},\"target\":\"_all\",\"timeout_seconds\":60},\"overlap\":\"allow\","
        + "\"catchup_window\":\"10m\"}"), 201);
    conforms(c.api("POST", "/api/v1/schedules", "{\"name\":\"often\",\"every\":\"1s\","
        + "\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}"), 201);
    await().atMost(Duration.ofSeconds(30)).until(() -> json(c.api("GET",
        "/api/v1/schedules/often", null)).path("last_jobs").size() > 0);
    conforms(c.api("GET", "/api/v1/schedules/often", null), 200);
    conforms(c.api("GET", "/api/v1/schedules", null), 200);
    conforms(c.api("PATCH", "/api/v1/schedules/often", "{\"paused\":true}"), 200);
    conforms(c.api("PATCH", "/api/v1/schedules/nightly", "{\"every\":\"5m\",\"paused\":false}"),
        200);
    conforms(c.api("GET", "/api/v1/schedules/nightly", null), 200);
    conforms(c.api("POST", "/api/v1/schedules", "{\"name\":\"often\",\"every\":\"1s\","
        + "\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}"), 409);
    refused(c.api("POST", "/api/v1/schedules", "{\"name\":\"Bad Name\",\"every\":\"1s\","
        + "\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}"), 400);
    conforms(c.api("POST", "/api/v1/schedules", "{\"name\":\"x\",\"cron\":\"61 * * * *\","
        + "\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}"), 400);
    conforms(c.api("PATCH", "/api/v1/schedules/nope", "{\"paused\":true}"), 404);
    conforms(c.api("DELETE", "/api/v1/schedules/often", null), 204);
    conforms(c.api("DELETE", "/api/v1/schedules/nightly", null), 204);
    conforms(c.api("GET", "/api/v1/schedules/often", null), 404);
    conforms(c.api("DELETE", "/api/v1/schedules/often", null), 404);

    // a body over the cap, declared: refused unread, the connection closed
    Exchange tooLarge = c.raw("POST", "/api/v1/jobs", Map.of("Host", "127.0.0.1",
        "Content-Type", "application/json", "Content-Length", "10000000"), null);
    expect(tooLarge, 413);
    assertThat(contract.responseProblems(tooLarge.path(), "POST", tooLarge)).isEmpty();

    // paths and methods the document does not list
    undocumented(c.api("PUT", "/api/v1/jobs", "{}"), 405, "MethodNotAllowed");
    undocumented(c.api("OPTIONS", "/api/v1/jobs/stats", null), 405, "MethodNotAllowed");
    undocumented(c.api("DELETE", "/api/v1/workers", null), 405, "MethodNotAllowed");
    undocumented(c.api("GET", "/api/v1/jobs/" + echo + "/retry", null), 405, "MethodNotAllowed");
    undocumented(c.api("GET", "/api/v1/nothing", null), 404, "NoSuchEndpoint");
    undocumented(c.api("GET", "/api/v1/jobs/" + echo + "/runs", null), 404, "NoSuchEndpoint");
    undocumented(c.api("GET", "/", null), 404, "NoSuchEndpoint");

    // the operations port
    conforms(c.metrics("/health", Map.of()), 200);
    conforms(c.metrics("/health/ready", Map.of()), 200);
    conforms(c.metrics("/metrics", Map.of()), 200);
    conforms(c.metrics("/metrics", Map.of("Accept", "application/openmetrics-text; version=1.0.0")),
        200);
  }

  /** Every operation of the document was reached (the 404/405 components as well). */
  private void assertEveryOperationChecked() {
    Set<String> all = new TreeSet<>();
    for (Map.Entry<String, JsonNode> p : contract.tree().path("paths").properties()) {
      p.getValue().fieldNames().forEachRemaining(m -> {
        if (!m.equals("parameters") && !m.equals("servers")) {
          all.add(m.toUpperCase(Locale.ROOT) + " " + p.getKey());
        }
      });
    }
    all.removeIf(o -> o.contains(OpenApiContract.UNDOCUMENTED) && !o.endsWith("MethodNotAllowed")
        && !o.endsWith("NoSuchEndpoint"));
    assertThat(contract.operationsChecked()).containsAll(all);
    System.out.println("OpenApiContractIT: " + contract.checked() + " exchanges over "
        + all.size() + " operations checked against docs/openapi.yaml");
  }

  private static void expect(Exchange x, int status) {
    assertThat(x.status()).as("%s", x).isEqualTo(status);
  }

  private Exchange conforms(Exchange x, int status) {
    expect(x, status);
    contract.assertConforms(x);
    return x;
  }

  private void refused(Exchange x, int status) {
    expect(x, status);
    contract.assertRefusedRequest(x);
  }

  private void undocumented(Exchange x, int status, String component) {
    expect(x, status);
    contract.assertUndocumented(x, component);
  }

  /** A 201 that conforms; the new job's id, which {@code Location} names. */
  private String created(Exchange x) {
    conforms(x, 201);
    String id = json(x).get("job_id").asText();
    assertThat(x.responseHeaders().get("Location")).containsExactly("/api/v1/jobs/" + id);
    return id;
  }

  /** Reads the job until it ends, checking every answer. */
  private void awaitEnded(ContractClient c, String id) {
    long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (true) {
      Exchange x = conforms(c.api("GET", "/api/v1/jobs/" + id, null), 200);
      if (TERMINAL.contains(json(x).path("status").asText())) {
        return;
      }
      assertThat(System.nanoTime()).as("job %s to end: %s", id, x).isLessThan(end);
      OsProcess.sleep(100);
    }
  }

  private static JsonNode json(Exchange x) {
    return Http.json(x.responseBody());
  }

  private Path tokenFile() throws IOException {
    Path f = dir.resolve("api-token");
    Files.writeString(f, TOKEN + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    return f;
  }
}
