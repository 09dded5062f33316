package io.osapi.app.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import io.osapi.app.wiring.TestApp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code schedule create|list|get|pause|resume|delete}, run in-process against a controller of the
 * Dagger test component (embedded broker, its scheduler running): a schedule made from the
 * command line fires, shows its jobs, pauses, resumes and goes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleCommandTest {
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

  private static JsonNode json(String text) {
    try {
      return ApiJson.mapper().readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  @Test
  void aScheduleMadeFromTheCommandLineFiresPausesResumesAndGoes() {
    CliRun c = run("schedule", "create", "cli-echo", "--every", "1s", "--type", "diag.echo",
        "--data", "{\"x\":1}", "--overlap", "allow");
    assertThat(c.code()).as(c.err()).isZero();
    assertThat(c.out()).contains("schedule   cli-echo").contains("every 1s").contains("active");

    await().atMost(Duration.ofSeconds(20)).until(() ->
        json(run("schedule", "get", "cli-echo", "--json").out()).path("last_jobs").size() >= 2);
    CliRun g = run("schedule", "get", "cli-echo");
    assertThat(g.code()).isZero();
    assertThat(g.out()).contains("TICK").contains("JOB").contains("next       ");

    CliRun l = run("schedule", "list");
    assertThat(l.out()).contains("cli-echo").contains("every 1s").contains("diag.echo");

    assertThat(run("schedule", "pause", "cli-echo").out()).contains("paused");
    long fired = json(run("schedule", "get", "cli-echo", "--json").out()).at("/counts/fired")
        .asLong();
    // the pause holds: a second schedule keeps firing meanwhile (positive control)
    assertThat(run("schedule", "create", "cli-control", "--every", "1s", "--type", "diag.echo",
        "--overlap", "allow").code()).isZero();
    await().atMost(Duration.ofSeconds(20)).until(() -> json(run("schedule", "get", "cli-control",
        "--json").out()).at("/counts/fired").asLong() >= 3);
    assertThat(json(run("schedule", "get", "cli-echo", "--json").out()).at("/counts/fired")
        .asLong()).isEqualTo(fired);

    assertThat(run("schedule", "resume", "cli-echo").out()).contains("active");
    await().atMost(Duration.ofSeconds(20)).until(() -> json(run("schedule", "get", "cli-echo",
        "--json").out()).at("/counts/fired").asLong() > fired);

    CliRun d = run("schedule", "delete", "cli-echo");
    assertThat(d.out()).contains("schedule cli-echo deleted");
    run("schedule", "delete", "cli-control");
    CliRun gone = run("schedule", "get", "cli-echo");
    assertThat(gone.code()).isEqualTo(1);
    assertThat(gone.err()).contains("schedule cli-echo not found").contains("HTTP 404");
  }

  @Test
  void badInputIsRefusedWithTheField() {
    CliRun r = run("schedule", "create", "bad", "--cron", "61 * * * *", "--type", "diag.echo");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("cron").contains("HTTP 400");
    CliRun both = run("schedule", "create", "bad", "--type", "diag.echo");
    assertThat(both.err()).contains("cron (5 fields) or every");
  }
}
