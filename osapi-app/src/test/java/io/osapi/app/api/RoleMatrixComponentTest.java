package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.auth.Permission;
import io.osapi.app.auth.Roles;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeys;
import io.osapi.app.config.Secret;
import io.osapi.core.audit.InMemoryAuditLog;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Every role against every request of {@link ApiAccess#table()}, with real signed tokens over real
 * HTTP: allowed exactly when the role holds the permission (any answer but 401/403), else 403
 * naming the permission. The table, the roles and this test are one source: a permission added to
 * a route or a role changes what is expected here.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RoleMatrixComponentTest {
  private static final String STATIC = "break-glass-static-token-0123456789";
  private static final String CUSTOM = "role.auditor";

  private EdgeHarness h;
  private TokenKeys keys;
  private Roles roles;
  private String jobId;

  @BeforeAll
  void start() throws Exception {
    keys = TokenKeys.hmac("matrix-test-secret-of-at-least-32-bytes!".getBytes(
        StandardCharsets.UTF_8));
    roles = Roles.withCustom(Map.of(CUSTOM, "audit:read, jobs:read"));
    h = new EdgeHarness(ApiAuthenticator.builder().tokenKeys(keys).roles(roles)
        .staticToken(Secret.of(STATIC)).clock(Clock.systemUTC()).build(),
        new InMemoryAuditLog(), false, AuditEdgeComponentTest.withPrivileged());
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", AuditEdgeComponentTest.CREATE,
        STATIC);
    assertThat(r.statusCode()).isEqualTo(201);
    jobId = ApiJson.mapper().readTree(r.body()).get("job_id").asText();
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private String token(String role) {
    return TokenIssuer.issue(keys, new TokenIssuer.Request("user-" + role, List.of(role),
        List.of(), Duration.ofMinutes(5), Optional.empty()), Clock.systemUTC());
  }

  /** One request of the rule's route and method. */
  private HttpResponse<String> send(ApiAccess.Rule rule, String bearer) {
    String path = rule.route().template().replace("{id}",
        rule.route().template().startsWith("/api/v1/workers/") ? "web01" : jobId)
        .replace("{name}", "nightly");
    String body = rule.route() == ApiRoute.JOBS && rule.method().equals("POST")
        ? AuditEdgeComponentTest.CREATE : null;
    return h.send(rule.method(), path, body, bearer);
  }

  @Test
  void everyRoleAgainstEveryRequest() throws Exception {
    SoftAssertions soft = new SoftAssertions();
    int checked = 0;
    List<String> roleNames = new ArrayList<>(List.of("read", "write", "admin", "auditor"));
    for (String role : roleNames) {
      Set<Permission> held = roles.permissionsOf(List.of(role), List.of());
      String bearer = token(role);
      for (ApiAccess.Rule rule : ApiAccess.table()) {
        HttpResponse<String> r = send(rule, bearer);
        String what = role + " " + rule.method() + " " + rule.route().template();
        boolean allowed = rule.permission().map(held::contains).orElse(true);
        if (allowed) {
          soft.assertThat(r.statusCode()).as(what + ": " + r.body()).isNotIn(401, 403);
        } else {
          soft.assertThat(r.statusCode()).as(what).isEqualTo(403);
          JsonNode b = ApiJson.mapper().readTree(r.body());
          soft.assertThat(b.at("/details/permission").asText()).as(what)
              .isEqualTo(rule.permission().orElseThrow().token());
        }
        checked++;
      }
    }
    soft.assertAll();
    assertThat(checked).isEqualTo(4 * ApiAccess.table().size());
  }

  @Test
  void theBuiltInRolesAreTheDocumentedLadder() {
    Set<Permission> read = roles.permissionsOf(List.of("read"), List.of());
    Set<Permission> write = roles.permissionsOf(List.of("write"), List.of());
    Set<Permission> admin = roles.permissionsOf(List.of("admin"), List.of());
    assertThat(write).containsAll(read);
    assertThat(admin).containsAll(write).isEqualTo(EnumSet.allOf(Permission.class));
    assertThat(read).doesNotContain(Permission.JOBS_CREATE, Permission.AUDIT_READ);
    assertThat(write).doesNotContain(Permission.JOBS_CREATE_PRIVILEGED, Permission.JOBS_DELETE,
        Permission.WORKERS_DRAIN, Permission.WORKERS_TRUST, Permission.AUDIT_READ);
  }

  @Test
  void privilegedCreatesNeedTheirPermissionWhateverTheRole() {
    String privileged = AuditEdgeComponentTest.PRIVILEGED;
    assertThat(h.send("POST", "/api/v1/jobs", privileged, token("write")).statusCode())
        .isEqualTo(403);
    assertThat(h.send("POST", "/api/v1/jobs", privileged, token("read")).statusCode())
        .isEqualTo(403);
    assertThat(h.send("POST", "/api/v1/jobs", privileged, token("admin")).statusCode())
        .isEqualTo(201);
    assertThat(h.send("POST", "/api/v1/jobs", privileged, STATIC).statusCode()).isEqualTo(201);
  }

  @Test
  void aTokenWithAnExtraPermissionGetsJustThat() {
    String t = TokenIssuer.issue(keys, new TokenIssuer.Request("ci", List.of("read"),
        List.of("jobs:create"), Duration.ofMinutes(5), Optional.empty()), Clock.systemUTC());
    assertThat(h.send("POST", "/api/v1/jobs", AuditEdgeComponentTest.CREATE, t).statusCode())
        .isEqualTo(201);
    assertThat(h.send("DELETE", "/api/v1/jobs/" + jobId, null, t).statusCode()).isEqualTo(403);
  }

  @Test
  void meAnswersEachCallerItsOwnPermissionsAndNothingWithoutAToken() throws Exception {
    for (String role : List.of("read", "write", "admin", "auditor")) {
      HttpResponse<String> r = h.send("GET", "/api/v1/me", null, token(role));
      assertThat(r.statusCode()).as(role).isEqualTo(200);
      JsonNode b = ApiJson.mapper().readTree(r.body());
      assertThat(b.get("subject").asText()).isEqualTo("user-" + role);
      assertThat(b.get("roles").get(0).asText()).isEqualTo(role);
      List<String> perms = new ArrayList<>();
      b.get("permissions").forEach(p -> perms.add(p.asText()));
      assertThat(perms).as(role).isSorted().containsExactlyInAnyOrderElementsOf(
          roles.permissionsOf(List.of(role), List.of()).stream().map(Permission::token).toList());
    }
    assertThat(h.send("GET", "/api/v1/me", null, null).statusCode()).isEqualTo(401);
    assertThat(h.send("GET", "/api/v1/me", null, "forged." + token("admin")).statusCode())
        .isEqualTo(401);
  }
}
