package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.auth.Roles;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeys;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.audit.InMemoryAuditLog;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Who may set up jobs through a schedule, over real HTTP with signed tokens: a schedule creates
 * jobs, so its create and change need {@code jobs:create} besides {@code schedules:write}, and a
 * privileged operation's schedule needs {@code jobs:create:privileged} of whoever creates,
 * pauses or resumes it. Each refusal is audited and changes nothing; the same request by a caller
 * who holds the permission succeeds (positive control).
 */
class ScheduleAccessComponentTest {
  private static final String PRIVILEGED = "{\"name\":\"root-task\",\"every\":\"1d\","
      + "\"job\":{\"operation\":{\"type\":\"test.privileged\"},\"target\":\"_all\"}}";
  private static final String PLAIN = "{\"name\":\"echo\",\"every\":\"1d\","
      + "\"job\":{\"operation\":{\"type\":\"diag.echo\"}}}";

  private EdgeHarness h;
  private TokenKeys keys;

  @BeforeEach
  void start() throws Exception {
    keys = TokenKeys.hmac("schedule-test-secret-of-at-least-32-bytes".getBytes(
        StandardCharsets.UTF_8));
    Roles roles = Roles.withCustom(Map.of("role.scheduler", "schedules:read, schedules:write"));
    h = new EdgeHarness(ApiAuthenticator.builder().tokenKeys(keys).roles(roles)
        .clock(Clock.systemUTC()).build(), new InMemoryAuditLog(), false,
        AuditEdgeComponentTest.withPrivileged());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private String token(String role) {
    return TokenIssuer.issue(keys, new TokenIssuer.Request("user-" + role, List.of(role),
        List.of(), Duration.ofMinutes(5), Optional.empty()), Clock.systemUTC());
  }

  private int schedules() throws Exception {
    return ApiJson.mapper().readTree(h.send("GET", "/api/v1/schedules", null, token("admin"))
        .body()).get("total").asInt();
  }

  @Test
  void schedulesWriteWithoutJobsCreateSetsUpNothing() throws Exception {
    HttpResponse<String> r = h.send("POST", "/api/v1/schedules", PLAIN, token("scheduler"));
    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("jobs:create");
    assertThat(schedules()).isZero();
    HttpResponse<String> read = h.send("POST", "/api/v1/schedules", PLAIN, token("read"));
    assertThat(read.statusCode()).isEqualTo(403);
    assertThat(read.body()).contains("schedules:write");
    // positive control: write holds both
    assertThat(h.send("POST", "/api/v1/schedules", PLAIN, token("write")).statusCode())
        .isEqualTo(201);
    assertThat(schedules()).isEqualTo(1);
    // and pausing needs jobs:create too (resuming would create jobs)
    assertThat(h.send("PATCH", "/api/v1/schedules/echo", "{\"paused\":true}",
        token("scheduler")).statusCode()).isEqualTo(403);
  }

  @Test
  void aSchedulesJobMayNotCarryARollout() throws Exception {
    HttpResponse<String> r = h.send("POST", "/api/v1/schedules", PLAIN.replace(
        "{\"type\":\"diag.echo\"}", "{\"type\":\"diag.echo\"},\"target\":\"_all\","
            + "\"rollout\":{\"batch_size\":1}"), token("write"));
    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(r.body()).contains("job.rollout");
    assertThat(schedules()).isZero();
    // positive control: the same schedule without it is created
    assertThat(h.send("POST", "/api/v1/schedules", PLAIN, token("write")).statusCode())
        .isEqualTo(201);
  }

  @Test
  void aPrivilegedScheduleNeedsThePrivilegedPermissionToCreatePauseOrResume() throws Exception {
    HttpResponse<String> w = h.send("POST", "/api/v1/schedules", PRIVILEGED, token("write"));
    assertThat(w.statusCode()).isEqualTo(403);
    assertThat(w.body()).contains("jobs:create:privileged");
    assertThat(schedules()).isZero();
    List<AuditRecord> refused = h.records().stream()
        .filter(x -> x.status() != null && x.status() == 403).toList();
    assertThat(refused).isNotEmpty();

    HttpResponse<String> a = h.send("POST", "/api/v1/schedules", PRIVILEGED, token("admin"));
    assertThat(a.statusCode()).as(a.body()).isEqualTo(201);
    // a caller without the permission may not pause or resume it either ...
    assertThat(h.send("PATCH", "/api/v1/schedules/root-task", "{\"paused\":true}",
        token("write")).statusCode()).isEqualTo(403);
    // ... nor swap in another privileged job
    assertThat(h.send("PATCH", "/api/v1/schedules/root-task",
        "{\"job\":{\"operation\":{\"type\":\"test.privileged\"},\"target\":\"_all\"}}",
        token("write")).statusCode()).isEqualTo(403);
    assertThat(ApiJson.mapper().readTree(h.send("GET", "/api/v1/schedules/root-task", null,
        token("read")).body()).path("paused").asBoolean()).isFalse();
    // positive control
    assertThat(h.send("PATCH", "/api/v1/schedules/root-task", "{\"paused\":true}",
        token("admin")).statusCode()).isEqualTo(200);
  }

  @Test
  void aScheduleBodyIsBoundAsACreateBodyIs() throws Exception {
    String admin = token("admin");
    HttpResponse<String> surrogate = h.send("POST", "/api/v1/schedules", "{\"name\":\"s1\","
        + "\"every\":\"1d\",\"job\":{\"operation\":{\"type\":\"diag.echo\","
        + "\"data\":{\"s\":\"\\ud800\"}}}}", admin);
    assertThat(surrogate.statusCode()).as(surrogate.body()).isEqualTo(400);
    assertThat(surrogate.body()).contains("job.operation.data").contains("lone surrogate");
    HttpResponse<String> unknown = h.send("POST", "/api/v1/schedules", "{\"name\":\"s1\","
        + "\"every\":\"1d\",\"job\":{\"operation\":{\"type\":\"diag.echo\"},"
        + "\"targt\":\"_any\"}}", admin);
    assertThat(unknown.statusCode()).isEqualTo(400);
    assertThat(unknown.body()).contains("unknown field 'job.targt'");
    HttpResponse<String> job = h.send("POST", "/api/v1/schedules", "{\"name\":\"s1\","
        + "\"every\":\"1d\",\"job\":\"diag.echo\"}", admin);
    assertThat(job.statusCode()).isEqualTo(400);
    assertThat(job.body()).contains("job must be a JSON object: the body of a job create");
    HttpResponse<String> paused = h.send("PATCH", "/api/v1/schedules/echo", "{\"paused\":1}",
        admin);
    assertThat(paused.statusCode()).isEqualTo(400);
    assertThat(paused.body()).contains("paused must be true or false");
    assertThat(schedules()).isZero();
    // positive control: the same body with good data is created
    assertThat(h.send("POST", "/api/v1/schedules", "{\"name\":\"s1\",\"every\":\"1d\","
        + "\"job\":{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"s\":\"a\"}}}}",
        admin).statusCode()).isEqualTo(201);
    assertThat(schedules()).isEqualTo(1);
  }
}
