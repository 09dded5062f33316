package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.auth.AuthFailure;
import io.osapi.app.auth.Authentication;
import io.osapi.app.auth.Authenticator;
import io.osapi.app.auth.Caller;
import io.osapi.app.auth.Permission;
import io.osapi.core.audit.AuditJson;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.operations.BuiltinOperations;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge's permission check and audit trail over a real HTTP server: who may do what, one
 * record per request that changes something, nothing changed without its record.
 */
@Timeout(60)
class AuditEdgeComponentTest {
  static final String CREATE = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"a\":1}},"
      + "\"target\":\"_any\"}";
  static final String PRIVILEGED = "{\"operation\":{\"type\":\"test.privileged\"}}";

  static final Caller READER = caller("rita", "read", Permission.JOBS_READ,
      Permission.WORKERS_READ);
  static final Caller WRITER = caller("walt", "write", Permission.JOBS_READ,
      Permission.JOBS_CREATE, Permission.JOBS_RETRY);
  static final Caller ADMIN = caller("ada", "admin", Permission.values());

  private EdgeHarness h;

  @AfterEach
  void close() {
    if (h != null) {
      h.close();
    }
  }

  static Caller caller(String sub, String role, Permission... ps) {
    return new Caller(sub, List.of(role), EnumSet.copyOf(List.of(ps)), Optional.empty());
  }

  /** Bearer strings to callers: a test double of the token verifier (its own tests are apart). */
  static Authenticator tokens(Map<String, Caller> callers) {
    return new Authenticator() {
      @Override
      public Authentication authenticate(String header) {
        if (header == null) {
          return new Authentication.Refused(AuthFailure.MISSING, "no header");
        }
        Caller c = callers.get(header.replaceFirst("^Bearer ", ""));
        return c == null ? new Authentication.Refused(AuthFailure.INVALID, "unknown")
            : new Authentication.Verified(c);
      }

      @Override
      public boolean required() {
        return true;
      }
    };
  }

  static final Authenticator THREE = tokens(Map.of("r", READER, "w", WRITER, "a", ADMIN));

  static OperationRegistry withPrivileged() {
    return OperationRegistry.builder().registerAll(BuiltinOperations.registry())
        .registerPrivileged("test.privileged", OperationKind.MODIFY, "test aid",
            c -> c.operation().data())
        .build();
  }

  private long jobs() throws Exception {
    return ApiJson.mapper().readTree(h.send("GET", "/api/v1/jobs/stats", null, "a").body())
        .get("total").asLong();
  }

  @Test
  void aCreateHasOneFinalRecordWithItsCallerAndOutcome() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", CREATE, "w");
    assertThat(r.statusCode()).isEqualTo(201);
    String requestId = r.headers().firstValue("X-Request-Id").orElseThrow();
    List<AuditRecord> all = h.records();
    assertThat(all).hasSize(1);
    AuditRecord a = all.get(0);
    assertThat(a.subject()).isEqualTo("walt");
    assertThat(a.roles()).containsExactly("write");
    assertThat(a.method()).isEqualTo("POST");
    assertThat(a.route()).isEqualTo("/api/v1/jobs");
    assertThat(a.operation()).isEqualTo("diag.echo");
    assertThat(a.target()).isEqualTo("_any");
    assertThat(a.data()).isEqualTo("{\"a\":1}");
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.durationMs()).isNotNull().isNotNegative();
    assertThat(a.requestId()).isEqualTo(requestId);
    assertThat(a.source()).startsWith("127.0.0.1:");
    assertThat(h.metrics.auditRecords()).isEqualTo(1);
  }

  @Test
  void longOperationDataIsCutInTheRecordNotInTheJob() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    String big = "x".repeat(10_000);
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"s\":\"" + big + "\"}}}", "w");
    assertThat(r.statusCode()).isEqualTo(201);
    String data = h.records().get(0).data();
    assertThat(data).hasSize(AuditRecord.MAX_DATA).startsWith("{\"s\":\"xxx")
        .endsWith(AuditRecord.CUT);
    String id = ApiJson.mapper().readTree(r.body()).get("job_id").asText();
    assertThat(h.send("GET", "/api/v1/jobs/" + id, null, "r").body()).contains(big);
  }

  @Test
  void theClientsRequestIdIsKeptAndPathIdsAreRecorded() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    String id = ApiJson.mapper().readTree(h.send("POST", "/api/v1/jobs", CREATE, "w").body())
        .get("job_id").asText();
    HttpResponse<String> r = h.sendWith("DELETE", "/api/v1/jobs/" + id, null, "a",
        "X-Request-Id", "ticket-4711");
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.headers().firstValue("X-Request-Id")).hasValue("ticket-4711");
    AuditRecord del = h.records().get(0);
    assertThat(del.route()).isEqualTo("/api/v1/jobs/{id}");
    assertThat(del.ids()).isEqualTo(Map.of("job", id));
    assertThat(del.requestId()).isEqualTo("ticket-4711");
    assertThat(del.status()).isEqualTo(204);
    // a request id that is not one is replaced
    HttpResponse<String> bad = h.sendWith("POST", "/api/v1/jobs", CREATE, "w",
        "X-Request-Id", "has space");
    assertThat(bad.headers().firstValue("X-Request-Id").orElseThrow()).isNotEqualTo("has space");
  }

  @Test
  void readsAreRecordedOnlyWithAuditReads() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    assertThat(h.send("GET", "/api/v1/jobs", null, "r").statusCode()).isEqualTo(200);
    assertThat(h.send("POST", "/api/v1/jobs", CREATE, "w").statusCode()).isEqualTo(201);
    assertThat(h.records()).extracting(AuditRecord::method).containsExactly("POST");
    h.close();
    h = new EdgeHarness(THREE, new InMemoryAuditLog(), true, BuiltinOperations.registry());
    assertThat(h.send("GET", "/api/v1/jobs", null, "r").statusCode()).isEqualTo(200);
    assertThat(h.records()).extracting(AuditRecord::subject, AuditRecord::method,
        AuditRecord::status).containsExactly(org.assertj.core.groups.Tuple.tuple("rita", "GET",
            200));
  }

  @Test
  void unauthenticatedRequestsAre401WithoutARecordAndCounted() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    HttpResponse<String> none = h.send("POST", "/api/v1/jobs", CREATE, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(ApiJson.mapper().readTree(none.body()).at("/details/reason").asText())
        .isEqualTo("missing");
    HttpResponse<String> bad = h.send("POST", "/api/v1/jobs", CREATE, "forged");
    assertThat(bad.statusCode()).isEqualTo(401);
    assertThat(bad.body()).doesNotContain("forged");
    assertThat(h.metrics.authFailures("missing")).isEqualTo(1);
    assertThat(h.metrics.authFailures("invalid")).isEqualTo(1);
    assertThat(h.records()).isEmpty();
    assertThat(jobs()).isZero();
    // positive control: the same create with a credential is stored and recorded
    assertThat(h.send("POST", "/api/v1/jobs", CREATE, "w").statusCode()).isEqualTo(201);
    assertThat(h.records()).hasSize(1);
  }

  @Test
  void aCallerWithoutThePermissionGets403NamingItAndChangesNothing() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", CREATE, "r");
    assertThat(r.statusCode()).isEqualTo(403);
    JsonNode body = ApiJson.mapper().readTree(r.body());
    assertThat(body.at("/details/permission").asText()).isEqualTo("jobs:create");
    assertThat(jobs()).isZero();
    assertThat(h.metrics.authFailures("forbidden")).isEqualTo(1);
    AuditRecord a = h.records().get(0);
    assertThat(a.subject()).isEqualTo("rita");
    assertThat(a.status()).isEqualTo(403);
    assertThat(a.operation()).isEqualTo("diag.echo");
    // a writer may not delete, drain or read the audit trail
    String id = ApiJson.mapper().readTree(h.send("POST", "/api/v1/jobs", CREATE, "w").body())
        .get("job_id").asText();
    assertThat(h.send("DELETE", "/api/v1/jobs/" + id, null, "w").statusCode()).isEqualTo(403);
    assertThat(h.send("POST", "/api/v1/workers/web01/drain", null, "w").statusCode())
        .isEqualTo(403);
    assertThat(h.send("GET", "/api/v1/audit", null, "w").statusCode()).isEqualTo(403);
    assertThat(h.send("GET", "/api/v1/jobs/" + id, null, "w").statusCode()).isEqualTo(200);
  }

  @Test
  void privilegedOperationsNeedTheirOwnPermissionToCreateAndToRetry() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog(), false, withPrivileged());
    HttpResponse<String> w = h.send("POST", "/api/v1/jobs", PRIVILEGED, "w");
    assertThat(w.statusCode()).isEqualTo(403);
    assertThat(w.body()).contains("jobs:create:privileged");
    // the same JSON with the type given twice: parsed as the handler parses it
    HttpResponse<String> twice = h.send("POST", "/api/v1/jobs",
        "{\"operation\":{\"type\":\"diag.echo\",\"type\":\"test.privileged\"}}", "w");
    assertThat(twice.statusCode()).isEqualTo(400); // a duplicate key is refused by the one parse
    assertThat(jobs()).isZero();
    HttpResponse<String> a = h.send("POST", "/api/v1/jobs", PRIVILEGED, "a");
    assertThat(a.statusCode()).isEqualTo(201);
    String id = ApiJson.mapper().readTree(a.body()).get("job_id").asText();
    HttpResponse<String> retry = h.send("POST", "/api/v1/jobs/" + id + "/retry", null, "w");
    assertThat(retry.statusCode()).isEqualTo(403);
    assertThat(retry.body()).contains("jobs:create:privileged");
    assertThat(jobs()).isEqualTo(1);
    assertThat(h.send("POST", "/api/v1/jobs/" + id + "/retry", null, "a").statusCode())
        .isEqualTo(201);
    assertThat(h.records()).extracting(AuditRecord::status).containsExactly(201, 403, 201, 400,
        403);
    // the trail holds each privileged create with its subject
    assertThat(h.records()).filteredOn(x -> x.status() == 201 && x.route().equals("/api/v1/jobs"))
        .extracting(AuditRecord::subject, AuditRecord::operation)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("ada", "test.privileged"));
  }

  @Test
  void nothingChangesWhenItsRecordCannotBeStored() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    h.audit.failing.set(true);
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", CREATE, "w");
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(h.send("POST", "/api/v1/workers/web01/drain", null, "a").statusCode())
        .isEqualTo(503);
    assertThat(h.metrics.auditWriteFailures()).isEqualTo(2);
    h.audit.failing.set(false);
    assertThat(jobs()).isZero();
    assertThat(h.records()).isEmpty();
    // positive control
    assertThat(h.send("POST", "/api/v1/jobs", CREATE, "w").statusCode()).isEqualTo(201);
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  void anAuditStoreWithNoRoomIsA507AtOnceNamingIt() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    h.audit.failure = new io.osapi.core.domain.StoreFullException(
        io.osapi.core.domain.StoreFullException.Limit.SERVER, 1024,
        "the job store is full: storing audit record x was refused, the NATS server has no"
            + " storage left");
    h.audit.failing.set(true);
    long t0 = System.nanoTime();
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", CREATE, "w");
    assertThat(r.statusCode()).isEqualTo(507);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - t0))
        .as("not held for the patience").isLessThan(java.time.Duration.ofMillis(500));
    assertThat(ApiJson.mapper().readTree(r.body()).at("/details/limit").asText())
        .isEqualTo("server");
    assertThat(r.headers().firstValue("Retry-After")).isEmpty();
    assertThat(h.metrics.auditWriteFailures()).isEqualTo(1);
    h.audit.failing.set(false);
    assertThat(jobs()).isZero();
  }

  @Test
  void anOutcomeThatCannotBeStoredLeavesThePendingRecordUntilItCanBe() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    h.audit.failFinalOnly.set(true);
    h.audit.failing.set(true);
    assertThat(h.send("POST", "/api/v1/jobs", CREATE, "w").statusCode()).isEqualTo(201);
    AuditRecord a = h.records().get(0);
    assertThat(a.pending()).isTrue();
    assertThat(a.subject()).isEqualTo("walt");
    assertThat(h.metrics.auditWriteFailures()).isEqualTo(1);
    assertThat(h.metrics.auditRecords()).isZero();
    // the store back: the outcome is recorded after all, in the background
    h.audit.failing.set(false);
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> !h.records().get(0).pending());
    assertThat(h.records().get(0).status()).isEqualTo(201);
    assertThat(h.metrics.auditRecords()).isEqualTo(1);
  }

  @Test
  void theAuditEndpointsListFilterAndExport() throws Exception {
    h = new EdgeHarness(THREE, new InMemoryAuditLog());
    for (int i = 0; i < 3; i++) {
      assertThat(h.send("POST", "/api/v1/jobs", CREATE, "w").statusCode()).isEqualTo(201);
    }
    assertThat(h.send("POST", "/api/v1/jobs", CREATE, "a").statusCode()).isEqualTo(201);
    JsonNode page = ApiJson.mapper().readTree(
        h.send("GET", "/api/v1/audit?subject=walt&limit=2", null, "a").body());
    assertThat(page.get("items")).hasSize(2);
    assertThat(page.get("items").get(0).get("subject").asText()).isEqualTo("walt");
    JsonNode rest = ApiJson.mapper().readTree(h.send("GET", "/api/v1/audit?subject=walt&limit=2"
        + "&after=" + page.get("next").asText(), null, "a").body());
    assertThat(rest.get("items")).hasSize(1);
    assertThat(rest.has("next")).isFalse();
    assertThat(h.send("GET", "/api/v1/audit?route=/api/v1/nope", null, "a").statusCode())
        .isEqualTo(400);
    assertThat(h.send("GET", "/api/v1/audit?since=yesterday", null, "a").statusCode())
        .isEqualTo(400);
    assertThat(ApiJson.mapper().readTree(h.send("GET", "/api/v1/audit?since=1h", null, "a")
        .body()).get("items")).hasSize(4);
    HttpResponse<String> export = h.send("GET", "/api/v1/audit/export", null, "a");
    assertThat(export.statusCode()).isEqualTo(200);
    assertThat(export.headers().firstValue("Content-Type").orElseThrow())
        .startsWith("application/jsonl");
    List<AuditRecord> lines = export.body().lines()
        .map(l -> AuditJson.read(l.getBytes(StandardCharsets.UTF_8))).toList();
    assertThat(lines).hasSize(4);
    List<AuditRecord> newestFirst = new java.util.ArrayList<>(h.records());
    java.util.Collections.reverse(newestFirst);
    assertThat(lines).isEqualTo(newestFirst);
  }
}
