package io.osapi.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import io.osapi.app.wiring.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job client commands, run in-process through picocli against a controller started from the
 * Dagger test component (with a bearer token, given to the commands by file).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobCommandsTest {
  private static final Pattern ID =
      Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

  private TestApp app;
  private Map<String, String> env;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    app = TestApp.recording(Optional.of("cli-token"), 65536);
    Path token = dir.resolve("token");
    Files.writeString(token, "cli-token\n");
    Files.setPosixFilePermissions(token,
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    env = Map.of("OSAPI_CONTROLLER", app.controller().toString(),
        "OSAPI_API_TOKEN_FILE", token.toString());
  }

  @AfterAll
  void stop() {
    app.close();
  }

  private CliRun run(String... args) {
    return CliRun.run(env, args);
  }

  private static String firstId(String text) {
    Matcher m = ID.matcher(text);
    assertThat(m.find()).as("a job id in: " + text).isTrue();
    return m.group();
  }

  private static JsonNode json(String text) {
    try {
      return ApiJson.mapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Test
  void submitWaitShowsProgressAndTheResult() {
    CliRun r = run("job", "submit", "--type", "diag.sleep", "--data", "{\"seconds\": 0.3}",
        "--wait");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("submitted").contains("processing").contains("completed")
        .contains("result: {\"slept_seconds\":0.3}");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void submitFileSendsEveryLineInBatchesAndNamesTheRefusedByLine(@TempDir Path dir)
      throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 2500; i++) {
      b.append("{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"i\":").append(i)
          .append("}}}\n");
      if (i == 1200) {
        b.append("\n{\"operation\":{\"type\":\"no.such\"}}\n");
      }
    }
    Path file = dir.resolve("jobs.ndjson");
    Files.writeString(file, b.toString());
    long before = json(run("job", "list", "--limit", "1", "--json").out()).get("total").asLong();
    CliRun r = run("job", "submit", "--file", file.toString());
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("submitted 1000/2501 jobs").contains("submitted 2501/2501 jobs"
        + " (1 refused)").contains("line 1203: 400");
    assertThat(r.out()).contains("2500 jobs submitted, 1 refused");
    assertThat(json(run("job", "list", "--limit", "1", "--json").out()).get("total").asLong())
        .isEqualTo(before + 2500);
    CliRun both = run("job", "submit", "--file", file.toString(), "--type", "diag.echo");
    assertThat(both.code()).isNotZero();
    assertThat(both.err()).contains("--file");
  }

  @Test
  void submitWaitOfAFailingJobExits1() {
    CliRun r = run("job", "submit", "--type", "diag.fail", "--data", "{\"message\":\"no luck\"}",
        "--wait");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).contains("failed").contains("error:  ").contains("no luck");
  }

  @Test
  void aBroadcastShowsEachExpectedWorkerAsItAnswersAndASummary() {
    io.osapi.core.port.WorkerRegistry registry =
        app.component(io.osapi.app.wiring.TestAppComponent.class).backend().registry();
    java.time.Instant now = java.time.Instant.now();
    // registered, never answers (a worker killed a moment ago)
    registry.heartbeat(new io.osapi.core.domain.WorkerInfo("ghost", Map.of(), now, now, 0, 1));
    try {
      CliRun r = run("job", "submit", "--type", "diag.echo", "--target", "_all", "--timeout", "1",
          "--wait");
      assertThat(r.code()).as(r.out() + r.err()).isEqualTo(1);
      assertThat(r.out()).containsPattern("  completed +" + TestApp.WORKER_ID + " in \\d")
          .containsPattern("  failed +ghost: did not respond within 1s")
          .contains("partial_failure")
          .contains("2 expected workers: 1 completed, 1 failed")
          .contains("error:  did not respond within 1s");
      String id = firstId(r.out());
      CliRun get = run("job", "get", id);
      assertThat(get.out()).contains("WORKER").containsPattern("ghost +failed +- +did not respond")
          .contains("2 expected workers: 1 completed, 1 failed");
      CliRun json = run("job", "submit", "--type", "diag.echo", "--target", "_all", "--timeout",
          "1", "--wait", "--json");
      assertThat(json(json.out()).get("status").asText()).isEqualTo("partial_failure");
      assertThat(json.err()).contains("ghost");
      assertThat(run("job", "submit", "--type", "diag.echo", "--timeout", "1").err())
          .contains("timeout_seconds applies to broadcast targets");
    } finally {
      registry.deregister("ghost");
    }
  }

  @Test
  void drainAndUndrainAWorker() {
    CliRun d = run("workers", "drain", TestApp.WORKER_ID);
    try {
      assertThat(d.code()).as(d.err()).isZero();
      assertThat(d.out()).contains("is draining");
      CliRun again = run("workers", "drain", TestApp.WORKER_ID);
      assertThat(again.code()).isEqualTo(1);
      assertThat(again.err()).contains("(HTTP 409)");
      assertThat(run("workers", "drain", "nobody").err()).contains("(HTTP 404)");
      assertThat(run("workers").out()).contains("STATE");
    } finally {
      CliRun u = run("workers", "undrain", TestApp.WORKER_ID, "--json");
      assertThat(u.code()).as(u.err()).isZero();
      assertThat(json(u.out()).get("state").asText()).isEqualTo("ready");
    }
  }

  @Test
  void submitWaitJsonPrintsTheFinalJobOnly() {
    CliRun r = run("job", "submit", "--type", "diag.echo", "--data", "{\"k\":\"v\"}", "--wait",
        "--json");
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode d = json(r.out());
    assertThat(d.get("status").asText()).isEqualTo("completed");
    assertThat(d.at("/result/k").asText()).isEqualTo("v");
    assertThat(r.err()).contains("completed");
  }

  @Test
  void submitGetListRetryDelete() {
    CliRun submitted = run("job", "submit", "--type", "system.hostname.get", "--target",
        TestApp.WORKER_ID);
    assertThat(submitted.code()).as(submitted.err()).isZero();
    String id = firstId(submitted.out());
    assertThat(submitted.out()).isEqualTo("job " + id + " submitted\n");

    CliRun json = run("job", "submit", "--type", "diag.echo", "--json");
    assertThat(json(json.out()).get("status").asText()).isEqualTo("submitted");

    CliRun get = run("job", "get", id);
    assertThat(get.code()).isZero();
    assertThat(get.out()).contains("job:        " + id).contains("system.hostname.get")
        .contains("target:     " + TestApp.WORKER_ID).contains("TIME").contains("submitted");
    CliRun getJson = run("job", "get", id, "--json");
    assertThat(json(getJson.out()).get("job_id").asText()).isEqualTo(id);

    CliRun list = run("job", "list", "--limit", "100");
    assertThat(list.code()).isZero();
    assertThat(list.out()).startsWith("ID").contains(id).containsPattern("\\d+ of \\d+ jobs");
    CliRun one = run("job", "list", "--limit", "1");
    assertThat(one.out()).contains("next page: osapi-app job list --limit 1 --after ");
    String cursor = one.out().substring(one.out().indexOf("--after ") + 8).trim();
    CliRun next = run("job", "list", "--limit", "1", "--after", cursor);
    assertThat(next.code()).as(next.err()).isZero();
    assertThat(next.out()).doesNotContain(cursor + " ").contains("1 of ");
    CliRun listJson = run("job", "list", "--json", "--status", "completed", "--limit", "100");
    assertThat(json(listJson.out()).get("items").findValuesAsText("status"))
        .containsOnly("completed");

    CliRun retry = run("job", "retry", id);
    assertThat(retry.code()).as(retry.err()).isZero();
    String again = firstId(retry.out());
    assertThat(again).isNotEqualTo(id);
    assertThat(retry.out()).contains("retry of " + id);

    CliRun delete = run("job", "delete", id);
    assertThat(delete.code()).isZero();
    assertThat(delete.out()).isEqualTo("job " + id + " deleted\n");
    CliRun gone = run("job", "get", id);
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.errLines()).containsExactly(
        "osapi-app: job " + id + " not found (HTTP 404)");
  }

  @Test
  void cancelAndListFilters() {
    CliRun sleeping = run("job", "submit", "--type", "diag.sleep", "--data", "{\"seconds\":30}");
    assertThat(sleeping.code()).as(sleeping.err()).isZero();
    String id = firstId(sleeping.out());
    CliRun cancel = run("job", "cancel", id, "--wait");
    assertThat(cancel.code()).as(cancel.err()).isZero();
    assertThat(cancel.out()).contains("job " + id + " cancel accepted; status cancelled");
    CliRun again = run("job", "cancel", id);
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.errLines()).singleElement().asString().contains("has ended already");

    CliRun host = run("job", "submit", "--type", "system.hostname.get");
    assertThat(host.code()).as(host.err()).isZero();
    String hostId = firstId(host.out());
    CliRun sleeps = run("job", "list", "--json", "--operation", "diag.sleep", "--since", "1h",
        "--limit", "100");
    assertThat(sleeps.code()).as(sleeps.err()).isZero();
    assertThat(json(sleeps.out()).get("items").findValuesAsText("job_id")).contains(id)
        .doesNotContain(hostId);
    assertThat(json(sleeps.out()).get("items").findValues("operation").stream()
        .map(o -> o.get("type").asText())).containsOnly("diag.sleep");
    CliRun targeted = run("job", "list", "--json", "--target", "_any",
        "--operation", "system.hostname.get", "--limit", "100");
    assertThat(targeted.code()).as(targeted.err()).isZero();
    assertThat(json(targeted.out()).get("items").findValuesAsText("job_id")).contains(hostId)
        .doesNotContain(id);
    assertThat(json(targeted.out()).get("items").findValuesAsText("target")).containsOnly("_any");
    // the host name job runs on the test's one worker; on another worker nothing ran
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(json(run("job", "list", "--json", "--worker",
            TestApp.WORKER_ID, "--operation", "system.hostname.get", "--limit", "100").out())
            .get("items").findValuesAsText("job_id")).contains(hostId));
    CliRun otherWorker = run("job", "list", "--json", "--worker", "not-" + TestApp.WORKER_ID);
    assertThat(otherWorker.code()).as(otherWorker.err()).isZero();
    assertThat(json(otherWorker.out()).get("total").asInt()).isZero();
    CliRun badWorker = run("job", "list", "--worker", "web..01");
    assertThat(badWorker.code()).isEqualTo(1);
    assertThat(badWorker.err()).contains("not a valid worker id");
    CliRun elsewhere = run("job", "list", "--json", "--target", "group:nowhere");
    assertThat(json(elsewhere.out()).get("total").asInt()).isZero();
    CliRun none = run("job", "list", "--json", "--operation", "never.registered");
    assertThat(none.code()).as(none.err()).isZero();
    assertThat(json(none.out()).get("total").asInt()).isZero();
    // past the year 2262 (the end of epoch nanoseconds in a long): still an answer, and empty
    CliRun future = run("job", "list", "--json", "--since", "2999-01-01T00:00:00Z");
    assertThat(future.code()).as(future.err()).isZero();
    assertThat(json(future.out()).get("total").asInt()).isZero();
    CliRun past = run("job", "list", "--json", "--operation", "diag.sleep", "--since",
        "1000-01-01T00:00:00Z");
    assertThat(past.code()).as(past.err()).isZero();
    assertThat(json(past.out()).get("items").findValuesAsText("job_id")).contains(id);
  }

  @Test
  void workersListsTheRegistry() {
    CliRun r = run("workers");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("ID").contains(TestApp.WORKER_ID).contains("group=web.dev")
        .contains("/4").contains("1 worker");
    CliRun j = run("workers", "--json");
    assertThat(json(j.out()).at("/workers/0/id").asText()).isEqualTo(TestApp.WORKER_ID);
  }

  @Test
  void apiErrorsAreOneLineAndExit1() {
    CliRun r = run("job", "submit", "--type", "system.reboot.now");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).containsExactly(
        "osapi-app: unknown operation type 'system.reboot.now' (HTTP 400)");
    CliRun bad = run("job", "get", "nope");
    assertThat(bad.code()).isEqualTo(1);
    assertThat(bad.errLines()).hasSize(1);
    assertThat(bad.err()).contains("HTTP 400");
  }

  @Test
  void aMissingTokenIsRefused() {
    CliRun r = CliRun.run(Map.of("OSAPI_CONTROLLER", app.controller().toString()), "workers");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("HTTP 401");
  }

  @Test
  void anUnreachableControllerIsOneLine() {
    CliRun r = run("workers", "--controller", "http://127.0.0.1:1");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.errLines()).hasSize(1);
    assertThat(r.err()).contains("cannot reach the controller at http://127.0.0.1:1");
  }

  @Test
  void badClientOptionsExit2WithOneLine() {
    assertUsage(run("job", "submit", "--type", "diag.echo", "--data", "{nope"), "--data");
    assertUsage(run("job", "submit", "--type", "diag.echo", "--data", "[1]"), "--data");
    assertUsage(run("job", "submit", "--data", "{}"), "--type");
    assertUsage(run("job", "list", "--limit", "ten"), "--limit");
    assertUsage(run("job", "submit", "--type", "diag.echo", "--wait", "--wait-timeout", "soon"),
        "--wait-timeout");
    assertUsage(run("workers", "--controller", "ftp://x"), "--controller");
    assertUsage(run("workers", "--api-token-file", "/does/not/exist"), "--api-token-file");
    assertUsage(run("job"), "job");
    assertUsage(run("job", "explode"), "explode");
  }

  static void assertUsage(CliRun r, String mentions) {
    assertThat(r.code()).as(r.err()).isEqualTo(2);
    assertThat(r.errLines()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("osapi-app: ").contains(mentions);
    assertThat(r.out()).isEmpty();
  }

  @Test
  void controlCharactersInJobDataAreShownEscapedAndJsonStaysExact() throws Exception {
    String hostile = "\u001b]0;owned\u0007 bell\rover\nnext\u009b2J \u202eevil\u007f";
    String data = ApiJson.mapper().writeValueAsString(
        ApiJson.mapper().createObjectNode().put("message", hostile));
    CliRun submitted = run("job", "submit", "--type", "diag.fail", "--data", data, "--wait");
    assertThat(submitted.code()).isEqualTo(1);
    String id = firstId(submitted.out());
    assertTerminalSafe(submitted.out());
    assertThat(submitted.out()).contains("\\u001b]0;owned\\u0007 bell\\rover\\nnext\\u009b2J");

    CliRun get = run("job", "get", id);
    assertThat(get.code()).as(get.err()).isZero();
    assertTerminalSafe(get.out());
    assertThat(get.out()).contains("error:      ").contains("\\u001b]0;owned\\u0007")
        .contains("\\u202eevil\\u007f");

    CliRun list = run("job", "list", "--status", "failed", "--limit", "100");
    assertThat(list.code()).as(list.err()).isZero();
    assertTerminalSafe(list.out());
    assertThat(list.out()).as("the list shows no error: job get does").contains(id)
        .doesNotContain("owned");

    CliRun json = run("job", "get", id, "--json");
    assertThat(json.code()).isZero();
    assertTerminalSafe(json.out());
    assertThat(json(json.out()).get("error").asText()).contains(hostile);
    assertThat(json(json.out()).at("/operation/data/message").asText()).isEqualTo(hostile);
  }

  @Test
  void auditListPagesAndExportWritesJsonLinesToAPrivateFile(@TempDir Path dir) throws Exception {
    CliRun submitted = run("job", "submit", "--type", "diag.echo", "--data", "{\"n\":1}");
    assertThat(submitted.code()).as(submitted.err()).isZero();
    run("job", "submit", "--type", "diag.echo");

    CliRun list = run("audit", "list", "--limit", "1", "--route", "/api/v1/jobs");
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("SUBJECT").contains("static-token")
        .contains("POST /api/v1/jobs").contains("diag.echo").contains("201")
        .contains("next page: osapi audit list --after ");
    CliRun asJson = run("audit", "list", "--json", "--since", "1h");
    assertThat(json(asJson.out()).get("items").size()).isGreaterThanOrEqualTo(2);

    Path out = dir.resolve("audit.jsonl");
    CliRun export = run("audit", "export", "--since", "1h", "--out", out.toString());
    assertThat(export.code()).as(export.err()).isZero();
    assertThat(export.err()).containsPattern("wrote \\d+ audit records to ");
    assertThat(java.nio.file.Files.getPosixFilePermissions(out))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    List<String> lines = Files.readAllLines(out);
    assertThat(lines).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(l -> assertThat(json(l).get("subject").asText()).isEqualTo("static-token"));
    CliRun again = run("audit", "export", "--out", out.toString());
    assertThat(again.code()).as("an existing file is never overwritten").isNotZero();
    CliRun stdout = run("audit", "export", "--since", "1h");
    assertThat(stdout.out().lines().count()).isEqualTo(lines.size());
  }

  private static void assertTerminalSafe(String text) {
    for (char c : text.toCharArray()) {
      assertThat(c == '\n' || !TerminalText.unsafe(c))
          .as("U+%04X in output:%n%s", (int) c, text).isTrue();
    }
  }
}
