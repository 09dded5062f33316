package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.auth.Roles;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeys;
import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.operations.BuiltinOperations;
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
import org.junit.jupiter.api.Timeout;

/**
 * {@code Idempotency-Key} on {@code POST /api/v1/jobs} through a real API server and its edge
 * (signed tokens, two callers): a repeat is answered the first job with {@code
 * Idempotent-Replayed: true} and creates nothing, the key with another body is 422, an empty,
 * too long or doubled key is 400, and another caller's same key neither replays nor probes.
 */
@Timeout(120)
class IdempotencyComponentTest {
  private static final String CREATE = "{\"operation\":{\"type\":\"diag.echo\","
      + "\"data\":{\"n\":1}}}";
  private final TokenKeys keys = TokenKeys.hmac(
      "idempotency-test-secret-of-32-bytes-or-more".getBytes(StandardCharsets.UTF_8));
  private EdgeHarness h;

  @BeforeEach
  void start() throws Exception {
    h = new EdgeHarness(ApiAuthenticator.builder().tokenKeys(keys).roles(Roles.withCustom(
        Map.of())).clock(Clock.systemUTC()).build(), new InMemoryAuditLog(), false,
        BuiltinOperations.registry());
  }

  @AfterEach
  void stop() {
    h.close();
  }

  private String token(String subject) {
    return TokenIssuer.issue(keys, new TokenIssuer.Request(subject, List.of("write"), List.of(),
        Duration.ofMinutes(5), Optional.empty()), Clock.systemUTC());
  }

  private HttpResponse<String> create(String body, String subject, String key) {
    return key == null ? h.send("POST", "/api/v1/jobs", body, token(subject))
        : h.sendWith("POST", "/api/v1/jobs", body, token(subject), "Idempotency-Key", key);
  }

  private long jobs() {
    return h.client.list(null, 100, 0).total();
  }

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return ApiJson.mapper().readTree(r.body());
  }

  @Test
  void aRepeatIsAnsweredTheFirstJobWithTheReplayHeader() throws Exception {
    HttpResponse<String> first = create(CREATE, "alice", "order-1");
    assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
    assertThat(first.headers().firstValue("Idempotent-Replayed")).isEmpty();
    String id = json(first).get("job_id").asText();
    assertThat(first.headers().firstValue("Location")).contains("/api/v1/jobs/" + id);

    // the same body written otherwise outside the data is the same request
    HttpResponse<String> again = create("{ \"operation\" : {\"data\":{\"n\":1},"
        + " \"type\":\"diag.echo\"} }", "alice", "order-1");
    assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
    assertThat(again.body()).isEqualTo(first.body());
    assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
    assertThat(again.headers().firstValue("Location")).contains("/api/v1/jobs/" + id);
    assertThat(jobs()).isEqualTo(1);

    // positive control: without a key, the same body is another job
    assertThat(create(CREATE, "alice", null).statusCode()).isEqualTo(201);
    assertThat(jobs()).isEqualTo(2);
  }

  @Test
  void theKeyWithAnotherBodyIs422AndCreatesNothing() throws Exception {
    HttpResponse<String> first = create(CREATE, "alice", "order-1");
    assertThat(first.statusCode()).isEqualTo(201);
    HttpResponse<String> other = create("{\"operation\":{\"type\":\"diag.echo\","
        + "\"data\":{\"n\":2}}}", "alice", "order-1");
    assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
    assertThat(json(other).get("details").get("field").asText()).isEqualTo("Idempotency-Key");
    assertThat(other.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  void anInvalidKeyIs400AndCreatesNothing() throws Exception {
    for (String bad : List.of("", "k".repeat(256))) {
      HttpResponse<String> r = create(CREATE, "alice", bad);
      assertThat(r.statusCode()).as("key of %d chars: %s", bad.length(), r.body())
          .isEqualTo(400);
      assertThat(json(r).get("details").get("field").asText()).isEqualTo("Idempotency-Key");
    }
    assertThat(create(CREATE, "alice", "k".repeat(255)).statusCode())
        .as("255 characters is a key").isEqualTo(201);
    RawHttp.Reply twice = RawHttp.send(h.server.boundAddress().getPort(),
        "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + token("alice") + "\r\nContent-Type: application/json\r\nIdempotency-Key: a\r\n"
            + "Idempotency-Key: b\r\nContent-Length: " + CREATE.length() + "\r\n"
            + "Connection: close\r\n\r\n" + CREATE, Duration.ofSeconds(10));
    assertThat(twice.status()).as(twice.text()).isEqualTo(400);
    assertThat(jobs()).isEqualTo(1);
  }

  @Test
  void anotherCallersSameKeyNeitherReplaysNorProbes() throws Exception {
    HttpResponse<String> alice = create(CREATE, "alice", "order-1");
    assertThat(alice.statusCode()).isEqualTo(201);
    HttpResponse<String> mallory = create(CREATE, "mallory", "order-1");
    assertThat(mallory.statusCode()).isEqualTo(201);
    assertThat(mallory.headers().firstValue("Idempotent-Replayed")).as("no replay").isEmpty();
    assertThat(json(mallory).get("job_id").asText())
        .isNotEqualTo(json(alice).get("job_id").asText());
    // another body under alice's key is no 422 for mallory: nothing to learn of alice's keys
    HttpResponse<String> probe = create("{\"operation\":{\"type\":\"diag.echo\"}}", "eve",
        "order-1");
    assertThat(probe.statusCode()).as(probe.body()).isEqualTo(201);
    assertThat(jobs()).isEqualTo(3);
    // positive control: alice's own repeat is replayed
    assertThat(create(CREATE, "alice", "order-1").headers().firstValue("Idempotent-Replayed"))
        .contains("true");
  }
}
