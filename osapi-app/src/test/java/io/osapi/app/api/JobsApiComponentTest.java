package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.wiring.TestApp;
import io.osapi.app.wiring.TestAppComponent;
import io.osapi.core.testing.RecordingJobMetrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every endpoint and every error path of the REST API, over real HTTP on loopback, through the
 * Dagger test component (embedded broker, recording metrics, one worker). After each refused
 * request the test checks that nothing was stored and no job metric moved.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobsApiComponentTest {
  private static final String UNKNOWN_ID = "01a00000-0000-7000-8000-000000000000";

  private TestApp app;
  private RecordingJobMetrics metrics;

  @BeforeAll
  void start() throws Exception {
    app = TestApp.recording();
    metrics = app.component(TestAppComponent.class).metrics();
  }

  @AfterAll
  void stop() {
    app.close();
  }

  // ---- helpers

  private HttpResponse<String> post(String path, String body) {
    return app.send("POST", path, body);
  }

  private HttpResponse<String> get(String path) {
    return app.send("GET", path, null);
  }

  private static JsonNode json(HttpResponse<String> r) {
    try {
      return ApiJson.mapper().readTree(r.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + r.body(), e);
    }
  }

  private long storedJobs() {
    HttpResponse<String> r = get("/api/v1/jobs/stats");
    assertThat(r.statusCode()).isEqualTo(200);
    return json(r).get("total").asLong();
  }

  private String create(String body) {
    HttpResponse<String> r = post("/api/v1/jobs", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return json(r).get("job_id").asText();
  }

  private JsonNode awaitStatus(String id, String... statuses) {
    return Awaitility.await("job " + id + " reaches " + List.of(statuses))
        .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20))
        .until(() -> json(get("/api/v1/jobs/" + id)),
            d -> List.of(statuses).contains(d.get("status").asText()));
  }

  /** Sends a request that must be refused, and checks that nothing was stored or counted. */
  private JsonNode refused(String method, String path, String body, int status) {
    long before = storedJobs();
    long created = metrics.createdTotal();
    HttpResponse<String> r = app.send(method, path, body);
    assertThat(r.statusCode()).as("%s %s %s -> %s", method, path, body, r.body())
        .isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
        ct -> assertThat(ct).startsWith("application/json"));
    JsonNode err = json(r);
    assertThat(err.get("error").asText()).isNotBlank();
    assertThat(storedJobs()).as("jobs stored after a refused request").isEqualTo(before);
    assertThat(metrics.createdTotal()).as("jobs counted after a refused request")
        .isEqualTo(created);
    assertThat(metrics.created("other")).isZero();
    return err;
  }

  private JsonNode refusedCreate(String body, String field) {
    JsonNode err = refused("POST", "/api/v1/jobs", body, 400);
    if (field != null) {
      assertThat(err.at("/details/field").asText()).as(err.toString()).isEqualTo(field);
    }
    return err;
  }

  // ---- endpoints

  @Test
  void createRunsTheJobAndShowsItInFull() throws Exception {
    long created = metrics.created("diag.echo");
    HttpResponse<String> r =
        post("/api/v1/jobs", "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"x\":1.50}}}");
    assertThat(r.statusCode()).isEqualTo(201);
    JsonNode body = json(r);
    String id = body.get("job_id").asText();
    assertThat(body.get("status").asText()).isEqualTo("submitted");
    assertThat(body.get("created").asText()).isNotBlank();
    assertThat(r.headers().firstValue("Location")).hasValue("/api/v1/jobs/" + id);
    assertThat(metrics.created("diag.echo")).isEqualTo(created + 1);

    JsonNode d = awaitStatus(id, "completed");
    assertThat(d.get("job_id").asText()).isEqualTo(id);
    assertThat(d.at("/operation/type").asText()).isEqualTo("diag.echo");
    assertThat(d.at("/operation/data/x").decimalValue()).isEqualByComparingTo("1.50");
    assertThat(d.get("target").asText()).isEqualTo("_any");
    assertThat(d.get("kind").asText()).isEqualTo("query");
    assertThat(d.at("/result/x").decimalValue()).isEqualByComparingTo("1.50");
    assertThat(d.at("/workers/test-worker/state").asText()).isEqualTo("completed");
    assertThat(d.at("/workers/test-worker/duration_seconds").isNumber()).isTrue();
    assertThat(d.get("timeline").size()).isEqualTo(3);
    assertThat(d.get("timeline").findValuesAsText("event"))
        .containsExactly("submitted", "started", "completed");
    assertThat(d.at("/results/0/worker").asText()).isEqualTo("test-worker");
  }

  @Test
  void aFailedJobShowsItsError() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.fail\",\"data\":{\"message\":\"boom\"}}}");
    JsonNode d = awaitStatus(id, "failed");
    assertThat(d.get("error").asText()).contains("boom");
    assertThat(d.at("/workers/test-worker/error").asText()).contains("boom");
  }

  @Test
  void targetsByHostLabelAndAllReachTheWorker() throws Exception {
    for (String target : List.of("test-worker", "host:test-worker", "group:web", "group:web.dev",
        "_all", "_any")) {
      String id = create("{\"operation\":{\"type\":\"system.hostname.get\"},\"target\":\""
          + target + "\"}");
      JsonNode d = awaitStatus(id, "completed");
      assertThat(d.at("/result/worker_id").asText()).as(target).isEqualTo("test-worker");
    }
  }

  @Test
  void listIsNewestFirstWithFiltersAndPaging() throws Exception {
    String a = create("{\"operation\":{\"type\":\"diag.echo\"}}");
    String b = create("{\"operation\":{\"type\":\"diag.fail\"}}");
    awaitStatus(a, "completed");
    awaitStatus(b, "failed");
    JsonNode page = json(get("/api/v1/jobs?limit=2"));
    assertThat(page.get("items").size()).isEqualTo(2);
    assertThat(page.at("/items/0/job_id").asText()).isEqualTo(b);
    assertThat(page.at("/items/1/job_id").asText()).isEqualTo(a);
    assertThat(page.get("total").asLong()).isEqualTo(storedJobs());
    JsonNode second = json(get("/api/v1/jobs?limit=1&offset=1"));
    assertThat(second.at("/items/0/job_id").asText()).isEqualTo(a);
    JsonNode first = json(get("/api/v1/jobs?limit=1"));
    assertThat(first.get("next").asText()).as("the cursor of the next page").isEqualTo(b);
    JsonNode byCursor = json(get("/api/v1/jobs?limit=1&after=" + b));
    assertThat(byCursor.at("/items/0/job_id").asText()).isEqualTo(a);
    assertThat(byCursor.get("total").asLong()).isEqualTo(storedJobs());
    JsonNode oldest = json(get("/api/v1/jobs?limit=1&offset=" + (storedJobs() - 1)));
    assertThat(oldest.has("next")).as("the last page has no next").isFalse();
    JsonNode failed = json(get("/api/v1/jobs?status=failed&limit=100"));
    assertThat(failed.get("items").findValuesAsText("status")).containsOnly("failed");
    assertThat(failed.get("items").findValuesAsText("job_id")).contains(b).doesNotContain(a);
    assertThat(failed.at("/items/0").has("error")).as("errors are in the detail").isFalse();
    assertThat(failed.at("/items/0/operation/type").asText()).isNotBlank();
    assertThat(json(get("/api/v1/jobs/" + failed.at("/items/0/job_id").asText())).at("/error")
        .asText()).isNotBlank();
    JsonNode dflt = json(get("/api/v1/jobs"));
    assertThat(dflt.get("items").size()).isLessThanOrEqualTo(20);
  }

  @Test
  void statsCountByStatus() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.echo\"}}");
    awaitStatus(id, "completed");
    JsonNode s = json(get("/api/v1/jobs/stats"));
    assertThat(s.get("total").asLong()).isPositive();
    assertThat(s.at("/by_status/completed").asLong()).isPositive();
    long sum = 0;
    for (String k : List.of("submitted", "processing", "completed", "failed", "partial_failure")) {
      assertThat(s.get("by_status").has(k)).as(k).isTrue();
      sum += s.get("by_status").get(k).asLong();
    }
    assertThat(sum).isEqualTo(s.get("total").asLong());
  }

  @Test
  void deleteRemovesTheJob() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.echo\"}}");
    awaitStatus(id, "completed");
    long before = storedJobs();
    HttpResponse<String> r = app.send("DELETE", "/api/v1/jobs/" + id, null);
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    assertThat(storedJobs()).isEqualTo(before - 1);
    assertThat(json(get("/api/v1/jobs?limit=100")).get("items").findValuesAsText("job_id"))
        .as("the next list").doesNotContain(id);
    refused("GET", "/api/v1/jobs/" + id, null, 404);
    refused("DELETE", "/api/v1/jobs/" + id, null, 404);
  }

  @Test
  void retryCreatesANewJob() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.fail\"}}");
    awaitStatus(id, "failed");
    HttpResponse<String> r = post("/api/v1/jobs/" + id + "/retry", null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String again = json(r).get("job_id").asText();
    assertThat(again).isNotEqualTo(id);
    assertThat(json(get("/api/v1/jobs?limit=1")).at("/items/0/job_id").asText())
        .as("the retry heads the next list").isEqualTo(again);
    assertThat(json(get("/api/v1/jobs/" + again)).at("/operation/type").asText())
        .isEqualTo("diag.fail");
    JsonNode old = json(get("/api/v1/jobs/" + id));
    assertThat(old.get("timeline").findValuesAsText("event")).contains("retried");

    HttpResponse<String> targeted =
        post("/api/v1/jobs/" + id + "/retry", "{\"target\":\"test-worker\"}");
    assertThat(targeted.statusCode()).isEqualTo(201);
    String t = json(targeted).get("job_id").asText();
    assertThat(json(get("/api/v1/jobs/" + t)).get("target").asText()).isEqualTo("test-worker");
  }

  @Test
  void workersComeFromTheHeartbeatRegistry() {
    JsonNode w = json(get("/api/v1/workers"));
    assertThat(w.get("total").asInt()).isEqualTo(1);
    JsonNode one = w.at("/workers/0");
    assertThat(one.get("id").asText()).isEqualTo(TestApp.WORKER_ID);
    assertThat(one.at("/labels/group").asText()).isEqualTo("web.dev");
    assertThat(one.get("last_heartbeat").asText()).isNotBlank();
    assertThat(one.get("active_jobs").isInt()).isTrue();
    assertThat(one.get("concurrency").asInt()).isEqualTo(4);
    assertThat(one.get("state").asText()).isEqualTo("ready");
  }

  @Test
  void workersArePagedByIdWithACursor() {
    io.osapi.core.port.WorkerRegistry registry =
        app.component(TestAppComponent.class).backend().registry();
    java.time.Instant now = java.time.Instant.now();
    for (int i = 0; i < 250; i++) {
      registry.heartbeat(new io.osapi.core.domain.WorkerInfo(String.format("pg-%03d", i),
          Map.of(), now, now, 0, 1));
    }
    JsonNode first = json(get("/api/v1/workers"));
    assertThat(first.get("total").asInt()).isEqualTo(251);
    assertThat(first.get("workers").size()).as("the default page").isEqualTo(100);
    java.util.List<String> seen = new java.util.ArrayList<>();
    String after = null;
    int pages = 0;
    do {
      JsonNode page = json(get("/api/v1/workers?limit=120"
          + (after == null ? "" : "&after=" + after)));
      page.get("workers").forEach(w -> seen.add(w.get("id").asText()));
      after = page.hasNonNull("next") ? page.get("next").asText() : null;
      pages++;
    } while (after != null);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).hasSize(251).doesNotHaveDuplicates().isSorted();
    assertThat(json(get("/api/v1/workers?after=pg-248")).get("workers"))
        .extracting(w -> w.get("id").asText()).containsExactly("pg-249", TestApp.WORKER_ID);
    assertThat(get("/api/v1/workers?limit=1001").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/workers?after=-x").statusCode()).isEqualTo(400);
    assertThat(get("/api/v1/workers?status=ready").statusCode()).isEqualTo(400);
    for (int i = 0; i < 250; i++) {
      registry.deregister(String.format("pg-%03d", i));
    }
  }

  private String workerState() {
    return json(get("/api/v1/workers")).at("/workers/0/state").asText();
  }

  private void awaitWorkerState(String state) {
    Awaitility.await("worker becomes " + state).atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20)).until(this::workerState, state::equals);
  }

  @Test
  void aWorkerIsDrainedCordonedAndUndrainedOnTheEmbeddedBroker() throws Exception {
    String w = "/api/v1/workers/" + TestApp.WORKER_ID;
    assertThat(refused("POST", "/api/v1/workers/nobody/drain", "", 404).get("error").asText())
        .isEqualTo("worker nobody is not registered");
    refused("POST", w + "/undrain", "", 409);
    HttpResponse<String> r = post(w + "/drain", "");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(json(r).get("state").asText()).isEqualTo("draining");
    assertThat(json(r).get("worker").asText()).isEqualTo(TestApp.WORKER_ID);
    try {
      refused("POST", w + "/drain", "", 409);
      awaitWorkerState("cordoned");
      // the only worker is drained: a broadcast has no one to expect
      assertThat(refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\"}",
          "target").get("error").asText()).contains("no ready worker");
      refused("GET", w + "/drain", null, 405);
    } finally {
      r = post(w + "/undrain", "");
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      assertThat(json(r).get("state").asText()).isEqualTo("ready");
    }
    awaitWorkerState("ready");
    awaitStatus(create("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\"}"),
        "completed");
  }

  @Test
  void aBroadcastTimeoutIsBoundedAndOnlyForBroadcasts() throws Exception {
    String head = "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\",";
    refusedCreate(head + "\"timeout_seconds\":0}", "timeout_seconds");
    refusedCreate(head + "\"timeout_seconds\":86401}", "timeout_seconds");
    refusedCreate(head + "\"timeout_seconds\":1e40}", "timeout_seconds");
    refusedCreate(head + "\"timeout_seconds\":2.5}", "timeout_seconds");
    refusedCreate(head + "\"timeout_seconds\":\"10\"}", "timeout_seconds");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"timeout_seconds\":10}",
        "timeout_seconds");
    awaitStatus(create(head + "\"timeout_seconds\":10}"), "completed");
  }

  @Test
  void aRolloutIsCheckedAndItsProgressShown() throws Exception {
    String head = "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\",\"rollout\":";
    refusedCreate(head + "{}}", "rollout.batch_size");
    for (String bad : List.of("0", "-1", "\"0%\"", "\"101%\"", "1.5", "\"two\"", "true")) {
      refusedCreate(head + "{\"batch_size\":" + bad + "}}", "rollout.batch_size");
    }
    refusedCreate(head + "{\"batch_size\":1,\"pause_seconds\":3601}}", "rollout.pause_seconds");
    refusedCreate(head + "{\"batch_size\":1,\"pause_seconds\":-1}}", "rollout.pause_seconds");
    refusedCreate(head + "{\"batch_size\":1,\"max_failures\":-1}}", "rollout.max_failures");
    refusedCreate(head + "{\"batch_size\":1,\"size\":1}}", "rollout.size");
    refusedCreate(head + "2}", "rollout");
    assertThat(refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"rollout\":"
        + "{\"batch_size\":1}}", "rollout").get("error").asText()).contains("_any");
    assertThat(refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\""
        + TestApp.WORKER_ID + "\",\"rollout\":{\"batch_size\":1}}", "rollout")
        .get("error").asText()).contains("one worker");
    String id = create(head + "{\"batch_size\":\"50%\",\"pause_seconds\":2}}");
    awaitStatus(id, "completed");
    JsonNode d = json(get("/api/v1/jobs/" + id));
    assertThat(d.at("/rollout/batch_size").asText()).isEqualTo("50%");
    assertThat(d.at("/rollout/window").asInt()).isEqualTo(1);
    assertThat(d.at("/rollout/pause_seconds").asInt()).isEqualTo(2);
    assertThat(d.at("/rollout/released").asInt()).isEqualTo(1);
    assertThat(d.at("/rollout/done").asInt()).isEqualTo(1);
    assertThat(d.at("/rollout/skipped").asInt()).isZero();
    assertThat(d.has("rollout")).isTrue();
    assertThat(json(get("/api/v1/jobs/" + create(head.replace(",\"rollout\":", "}"))))
        .has("rollout")).as("a broadcast without one").isFalse();
  }

  @Test
  void theRefresherFeedsHeartbeatAgesAndBacklog() throws Exception {
    Awaitility.await().atMost(Duration.ofSeconds(5))
        .until(() -> metrics.heartbeatAges().containsKey(TestApp.WORKER_ID));
    // a job waits while the only worker is cordoned: the backlog the refresher reports shows it
    String w = "/api/v1/workers/" + TestApp.WORKER_ID;
    assertThat(post(w + "/drain", "").statusCode()).isEqualTo(200);
    String id;
    try {
      awaitWorkerState("cordoned");
      id = create("{\"operation\":{\"type\":\"diag.echo\"}}");
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.pending() == 1);
    } finally {
      assertThat(post(w + "/undrain", "").statusCode()).isEqualTo(200);
    }
    awaitStatus(id, "completed");
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> metrics.pending() == 0);
    assertThat(metrics.componentUp()).isTrue();
    assertThat(metrics.subsystems()).containsEntry("http", true).containsEntry("worker", true);
  }

  @Test
  void operationDataIsKeptByteForByte() throws Exception {
    String data = "{\"x\": 1e400, \"y\":[1.50,-0.0, 10E-2], \"s\":\"\\u00e9\\ud83d\\ude00\"}";
    String id = create("{\"operation\":{\"type\":\"diag.echo\",\"data\":" + data + "}}");
    awaitStatus(id, "completed");
    String detail = get("/api/v1/jobs/" + id).body();
    assertThat(detail).contains("\"data\":" + data).contains("\"result\":" + data);
    assertThat(json(get("/api/v1/jobs/" + id)).at("/operation/data/s").asText())
        .isEqualTo("\u00e9\ud83d\ude00");
  }

  // ---- bad input: 400, nothing stored

  @ParameterizedTest
  @ValueSource(strings = {"\"\\ud800\"", "\"a\\udc00\"", "\"\\ude00\\ud83d\""})
  void aLoneSurrogateInOperationDataIs400(String value) {
    JsonNode err = refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"s\":"
        + value + "}}}", "operation.data");
    assertThat(err.get("error").asText()).contains("lone surrogate");
  }

  @Test
  void aNumberOutOfRangeInOperationDataIs400() {
    JsonNode err = refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"data\":"
        + "{\"n\":1e9999999999}}}", null);
    assertThat(err.get("error").asText()).contains("1e9999999999").contains("out of range");
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{", "{\"operation\": }", "{} x", "{\"operation\":{\"type\":\"diag.echo\"}} {}",
      "{\"operation\":{\"type\":\"diag.echo\",\"type\":\"diag.fail\"}}", "nul", "\"",
      "{\"operation\":{\"type\":\"diag.echo\"}", "\u00ff\u00fe"})
  void malformedJsonIs400(String body) {
    JsonNode err = refusedCreate(body, "body");
    assertThat(err.get("error").asText()).contains("JSON");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "[]", "\"text\"", "42", "null", "[{\"operation\":{}}]"})
  void aBodyThatIsNoObjectIs400(String body) {
    refusedCreate(body, "body");
  }

  @Test
  void deeplyNestedJsonIs400() {
    String deep = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"a\":" + "[".repeat(200)
        + "]".repeat(200) + "}}}";
    refusedCreate(deep, "body");
  }

  @Test
  void wrongTypesAre400() {
    refusedCreate("{\"operation\":\"diag.echo\"}", "operation");
    refusedCreate("{\"operation\":[\"diag.echo\"]}", "operation");
    refusedCreate("{\"operation\":{\"type\":42}}", "operation.type");
    refusedCreate("{\"operation\":{\"type\":true}}", "operation.type");
    refusedCreate("{\"operation\":{\"type\":{\"name\":\"diag.echo\"}}}", "operation.type");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"data\":[1,2]}}", "operation.data");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"data\":\"x=1\"}}", "operation.data");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"data\":5}}", "operation.data");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":7}", "target");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":[\"_any\"]}", "target");
  }

  @Test
  void missingPartsAre400() {
    refusedCreate("{}", "operation");
    refusedCreate("{\"operation\":null}", "operation");
    refusedCreate("{\"operation\":{}}", "operation.type");
    refusedCreate("{\"operation\":{\"data\":{}}}", "operation.type");
    refusedCreate("{\"operation\":{\"type\":null}}", "operation.type");
    refusedCreate("{\"operation\":{\"type\":\"\"}}", "operation.type");
  }

  @Test
  void unknownFieldsAre400() {
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"targt\":\"x\"}", "targt");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"dat\":{}}}", "operation.dat");
  }

  @ParameterizedTest
  @ValueSource(strings = {"system.reboot.now", "system.hostname", "system", "system.hostname.set",
      "diag.echo.extra", "Diag.Echo", "diag..echo", "diag.echo ", "../etc/passwd", "diag.échó"})
  void unknownOrMalformedOperationsAre400(String type) {
    JsonNode err = refusedCreate(
        "{\"operation\":{\"type\":" + ApiJson.mapper().valueToTree(type) + "}}", "operation.type");
    assertThat(err.get("error").asText()).contains("operation");
  }

  @Test
  void aLongOperationTypeIs400() {
    refusedCreate("{\"operation\":{\"type\":\"diag." + "x".repeat(300) + "\"}}", "operation.type");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a b", "*", ">", "group:", ":x", "jobs.>", "w\u00f6rker", "host:",
      "-lead", "a/b", "group:web..dev", "GROUP:web", "group:a b", "\u0000", "nohost",
      "zone:eu", "group:db"})
  void invalidOrUnknownTargetsAre400(String target) {
    JsonNode err = refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":"
        + ApiJson.mapper().valueToTree(target) + "}", "target");
    assertThat(err.get("error").asText()).isNotBlank();
  }

  @Test
  void aLongTargetIs400() {
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"" + "w".repeat(300)
        + "\"}", "target");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"" + "w".repeat(65)
        + "\"}", "target");
  }

  @Test
  void bodiesAreBoundWithoutCoercion() {
    // Jackson's defaults would take these as "42", 1 and 5 seconds
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":42}", "target");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\","
        + "\"timeout_seconds\":1.5}", "timeout_seconds");
    refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_all\","
        + "\"timeout_seconds\":\"5\"}", "timeout_seconds");
    JsonNode huge = refusedCreate("{\"operation\":{\"type\":\"diag.echo\"},\"target\":"
        + "\"_all\",\"timeout_seconds\":" + "9".repeat(40) + "}", "timeout_seconds");
    assertThat(huge.get("error").asText()).contains("between");
    JsonNode unknown = refusedCreate("{\"operation\":{\"type\":\"diag.echo\",\"dat\":{}}}",
        "operation.dat");
    assertThat(unknown.get("error").asText())
        .isEqualTo("unknown field 'operation.dat': allowed are operation.data, operation.type");
  }

  @Test
  void requestsThatTakeNoBodyRefuseFieldsButTakeAnEmptyObject() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.echo\"}}");
    awaitStatus(id, "completed");
    JsonNode err = refused("POST", "/api/v1/jobs/" + id + "/cancel", "{\"why\":\"x\"}", 400);
    assertThat(err.at("/details/field").asText()).isEqualTo("why");
    assertThat(refused("POST", "/api/v1/workers/w1/drain", "{\"force\":true}", 400)
        .at("/details/field").asText()).isEqualTo("force");
    refused("POST", "/api/v1/workers/w1/undrain", "[]", 400);
    // positive control: {} is no field at all (409: the job has ended)
    assertThat(app.send("POST", "/api/v1/jobs/" + id + "/cancel", "{}").statusCode())
        .isEqualTo(409);
  }

  @Test
  void retryWithABadTargetIs400() throws Exception {
    String id = create("{\"operation\":{\"type\":\"diag.echo\"}}");
    awaitStatus(id, "completed");
    refused("POST", "/api/v1/jobs/" + id + "/retry", "{\"target\":\"a b\"}", 400);
    refused("POST", "/api/v1/jobs/" + id + "/retry", "{\"target\":5}", 400);
    refused("POST", "/api/v1/jobs/" + id + "/retry", "{\"targets\":\"_any\"}", 400);
    refused("POST", "/api/v1/jobs/" + id + "/retry", "{", 400);
    refused("POST", "/api/v1/jobs/" + id + "/retry", "[]", 400);
  }

  @ParameterizedTest
  @ValueSource(strings = {"limit=0", "limit=-1", "limit=101", "limit=abc", "limit=1.5",
      "limit=99999999999999999999", "offset=-1", "offset=x", "offset=-99999999999",
      "status=bogus", "status=COMPLETED", "status=", "page=2", "limit=1&limit=2",
      "limit", "after=bogus", "after=", "after=01A00000-0000-7000-8000-000000000000"})
  void badPagingIs400(String query) {
    refused("GET", "/api/v1/jobs?" + query, null, 400);
  }

  @Test
  void hugeOffsetGivesAnEmptyPage() {
    JsonNode page = json(get("/api/v1/jobs?offset=2147483647"));
    assertThat(page.get("items").size()).isZero();
    assertThat(page.get("total").asLong()).isEqualTo(storedJobs());
  }

  @ParameterizedTest
  @ValueSource(strings = {"not-a-uuid", "01A00000-0000-7000-8000-000000000000",
      "01a00000000070008000000000000000", "%C3%A9", "..", "%2e%2e", "' OR 1=1"})
  void badJobIdsAre400(String id) {
    String raw = id.replace(" ", "%20").replace("'", "%27");
    refused("GET", "/api/v1/jobs/" + raw, null, 400);
    refused("DELETE", "/api/v1/jobs/" + raw, null, 400);
    refused("POST", "/api/v1/jobs/" + raw + "/retry", null, 400);
  }

  @Test
  void aLongJobIdIs400() {
    refused("GET", "/api/v1/jobs/" + "a".repeat(300), null, 400);
  }

  @Test
  void unknownJobIdsAre404() {
    refused("GET", "/api/v1/jobs/" + UNKNOWN_ID, null, 404);
    refused("DELETE", "/api/v1/jobs/" + UNKNOWN_ID, null, 404);
    refused("POST", "/api/v1/jobs/" + UNKNOWN_ID + "/retry", null, 404);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/api/v1/nothing", "/api/v1/jobs/", "/api/v2/jobs", "/",
      "/api/v1/jobs/" + UNKNOWN_ID + "/retry/x", "/api/v1", "/api/v1/workers/x", "/metrics"})
  void unknownPathsAre404(String path) {
    refused("GET", path, null, 404);
  }

  @Test
  void wrongMethodsAre405WithAllow() {
    assertAllow("PUT", "/api/v1/jobs", "GET, POST");
    assertAllow("DELETE", "/api/v1/jobs", "GET, POST");
    assertAllow("PATCH", "/api/v1/jobs", "GET, POST");
    assertAllow("POST", "/api/v1/jobs/stats", "GET");
    assertAllow("DELETE", "/api/v1/jobs/stats", "GET");
    assertAllow("PUT", "/api/v1/jobs/" + UNKNOWN_ID, "GET, DELETE");
    assertAllow("POST", "/api/v1/jobs/" + UNKNOWN_ID, "GET, DELETE");
    assertAllow("GET", "/api/v1/jobs/" + UNKNOWN_ID + "/retry", "POST");
    assertAllow("POST", "/api/v1/workers", "GET");
    assertAllow("OPTIONS", "/api/v1/workers", "GET");
  }

  private void assertAllow(String method, String path, String allow) {
    long before = storedJobs();
    HttpResponse<String> r = app.send(method, path, "{\"operation\":{\"type\":\"diag.echo\"}}");
    assertThat(r.statusCode()).as(method + " " + path).isEqualTo(405);
    assertThat(r.headers().firstValue("Allow")).hasValue(allow);
    assertThat(json(r).get("error").asText()).contains(method);
    assertThat(storedJobs()).isEqualTo(before);
  }

  @Test
  void headIsAGetWithoutABody() {
    // a deterministic answer to compare with: the 404 of an unknown job
    HttpResponse<String> get = app.send("GET", "/api/v1/jobs/" + UNKNOWN_ID, null);
    HttpResponse<String> r = app.send(HttpRequest.newBuilder(
        URI.create(app.controller() + "/api/v1/jobs/" + UNKNOWN_ID)).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build());
    assertThat(get.statusCode()).isEqualTo(404);
    assertThat(r.statusCode()).isEqualTo(404);
    assertThat(app.send(HttpRequest.newBuilder(URI.create(app.controller() + "/api/v1/workers"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build()).statusCode())
        .isEqualTo(200);
    assertThat(r.body()).isEmpty();
    assertThat(r.headers().firstValue("Content-Type")).isEqualTo(
        get.headers().firstValue("Content-Type"));
    assertThat(r.headers().firstValueAsLong("Content-Length"))
        .hasValue(get.body().getBytes(java.nio.charset.StandardCharsets.UTF_8).length);
    // a route without GET: 405 as for GET
    HttpResponse<String> retry = app.send(HttpRequest.newBuilder(
        URI.create(app.controller() + "/api/v1/jobs/" + UNKNOWN_ID + "/retry")).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build());
    assertThat(retry.statusCode()).isEqualTo(405);
    assertThat(retry.headers().firstValue("Allow")).hasValue("POST");
    assertThat(retry.body()).isEmpty();
  }

  // ---- size cap: 413

  @Test
  void aBodyOverTheCapIs413() {
    String data = "x".repeat(70 * 1024);
    JsonNode err = refused("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"s\":\"" + data + "\"}}}", 413);
    assertThat(err.at("/details/max_body_bytes").asInt()).isEqualTo(64 * 1024);
    refused("POST", "/api/v1/jobs/" + UNKNOWN_ID + "/retry", "{\"target\":\"" + data + "\"}", 413);
  }

  @Test
  void aBodyJustUnderTheCapIsRead() {
    String pad = " ".repeat(64 * 1024 - 60);
    String body = "{\"operation\":{\"type\":\"diag.echo\"}" + pad + "}";
    assertThat(body.length()).isLessThanOrEqualTo(64 * 1024);
    assertThat(post("/api/v1/jobs", body).statusCode()).isEqualTo(201);
  }

  @Test
  void aHugeChunkedBodyIsCutOffAfterTheCap() {
    long before = storedJobs();
    long created = metrics.createdTotal();
    AtomicLong sent = new AtomicLong();
    long hostile = 512L * 1024 * 1024;
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return sent.incrementAndGet() <= hostile ? 'x' : -1;
      }

      @Override
      public int read(byte[] b, int off, int len) {
        long left = hostile - sent.get();
        if (left <= 0) {
          return -1;
        }
        int n = (int) Math.min(len, left);
        java.util.Arrays.fill(b, off, off + n, (byte) 'x');
        sent.addAndGet(n);
        return n;
      }
    };
    HttpRequest req = HttpRequest.newBuilder(URI.create(app.controller() + "/api/v1/jobs"))
        .timeout(Duration.ofSeconds(20)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> endless)).build();
    try {
      HttpResponse<String> r = app.send(req);
      assertThat(r.statusCode()).isEqualTo(413);
    } catch (IllegalStateException e) {
      // the server closed the connection while the client was still sending: also a refusal
      assertThat(e).hasMessageContaining("request failed");
    }
    assertThat(sent.get()).as("bytes the client got to send").isLessThan(hostile);
    assertThat(storedJobs()).isEqualTo(before);
    assertThat(metrics.createdTotal()).isEqualTo(created);
  }
}
