package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.auth.TokenIssuer;
import io.osapi.app.auth.TokenKeys;
import io.osapi.core.audit.AuditJson;
import io.osapi.core.audit.AuditRecord;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail of a real controller process on a real nats-server, through a NATS kill -9 and
 * restart: 1,000 creates by four subjects with different roles (one of them may not create);
 * every accepted create has exactly one final audit record with its subject, no refused request
 * created a job, and the export is the listing, record for record.
 */
class AuditTrailIT {
  static final int PER_SUBJECT = 250;
  static final Map<String, String> ROLES = Map.of("alice", "write", "bob", "read",
      "carol", "admin", "dave", "submitter");

  @TempDir Path dir;

  @Test
  void everyAcceptedRequestHasExactlyOneRecordThroughANatsRestart() throws Exception {
    byte[] secret = new byte[48];
    new SecureRandom().nextBytes(secret);
    Path key = Files.writeString(dir.resolve("api-token.key"), HexFormat.of().formatHex(secret));
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
    TokenKeys keys = TokenKeys.hmac(HexFormat.of().formatHex(secret)
        .getBytes(StandardCharsets.UTF_8));
    Path config = Files.writeString(dir.resolve("osapi.properties"),
        "role.submitter = jobs:create\n");
    Map<String, String> tokens = new ConcurrentHashMap<>();
    ROLES.forEach((sub, role) -> tokens.put(sub, TokenIssuer.issue(keys, new TokenIssuer.Request(
        sub, List.of(role), List.of(), Duration.ofHours(1), Optional.empty()),
        Clock.systemUTC())));

    try (NatsServer nats = NatsServer.start(dir);
        Osapi controller = Osapi.controller(dir, nats.url(), "--config", config.toString(),
            "--api-token-key-file", key.toString())) {
      controller.awaitReady();
      Map<String, Integer> status = new ConcurrentHashMap<>();
      Map<String, String> subjectOf = new ConcurrentHashMap<>();
      Map<String, String> jobOf = new ConcurrentHashMap<>();
      AtomicInteger sent = new AtomicInteger();
      List<Thread> submitters = new ArrayList<>();
      for (String sub : ROLES.keySet()) {
        Thread t = new Thread(() -> {
          for (int i = 0; i < PER_SUBJECT; i++) {
            String rid = sub + "-" + i;
            HttpResponse<String> r = Http.send("POST", controller.api("/jobs"),
                "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"n\":" + i + "}}}",
                Map.of("Authorization", "Bearer " + tokens.get(sub), "X-Request-Id", rid));
            status.put(rid, Http.status(r));
            subjectOf.put(rid, sub);
            if (Http.status(r) == 201) {
              jobOf.put(rid, Http.json(r).get("job_id").asText());
            }
            sent.incrementAndGet();
          }
        }, "submit-" + sub);
        submitters.add(t);
        t.start();
      }
      controller.await("a third sent", Duration.ofSeconds(120), () -> sent.get() >= 330);
      nats.kill();
      controller.await("osapi_nats_connected 0", Duration.ofSeconds(20),
          () -> controller.metric("osapi_nats_connected") == 0);
      nats.startAgain();
      for (Thread t : submitters) {
        t.join(Duration.ofMinutes(4).toMillis());
        assertThat(t.isAlive()).as(t.getName() + " finished").isFalse();
      }
      controller.await("osapi_nats_connected 1", Duration.ofSeconds(30),
          () -> controller.metric("osapi_nats_connected") == 1);

      Map<String, String> admin = Map.of("Authorization", "Bearer " + tokens.get("carol"));
      // an answer given while NATS was away may have gone out before its final record: those are
      // tried again in the background; wait for every record to be final
      controller.await("no audit record pending", Duration.ofSeconds(60), () -> {
        HttpResponse<String> all = Http.send("GET", controller.api("/audit/export"), null, admin);
        return Http.status(all) == 200 && all.body().lines().count() > 0
            && all.body().lines().allMatch(l -> l.contains("\"status\":"));
      });
      // every record, newest first, a page at a time
      List<AuditRecord> listed = new ArrayList<>();
      String after = null;
      do {
        HttpResponse<String> page = Http.send("GET", controller.api("/audit?limit=1000"
            + (after == null ? "" : "&after=" + URLEncoder.encode(after, StandardCharsets.UTF_8))),
            null, admin);
        assertThat(Http.status(page)).as("audit page: %s", page == null ? "" : page.body())
            .isEqualTo(200);
        JsonNode n = Http.json(page);
        for (JsonNode r : n.get("items")) {
          listed.add(AuditJson.read(r.toString().getBytes(StandardCharsets.UTF_8)));
        }
        after = n.hasNonNull("next") ? n.get("next").asText() : null;
      } while (after != null);

      Map<String, List<AuditRecord>> byRequest = new ConcurrentHashMap<>();
      for (AuditRecord r : listed) {
        byRequest.computeIfAbsent(r.requestId(), k -> new ArrayList<>()).add(r);
      }
      long accepted = status.values().stream().filter(s -> s == 201).count();
      long refused503 = status.values().stream().filter(s -> s == 503).count();
      for (Map.Entry<String, Integer> e : status.entrySet()) {
        String rid = e.getKey();
        List<AuditRecord> rs = byRequest.getOrDefault(rid, List.of());
        if (e.getValue() == 201) {
          assertThat(rs).as("records of accepted request %s", rid).hasSize(1);
          assertThat(rs.get(0).subject()).isEqualTo(subjectOf.get(rid));
          assertThat(rs.get(0).status()).isEqualTo(201);
          assertThat(rs.get(0).roles()).containsExactly(ROLES.get(subjectOf.get(rid)));
        } else {
          assertThat(rs).as("records of refused request %s", rid).hasSizeLessThanOrEqualTo(1);
        }
      }
      assertThat(status).hasSize(4 * PER_SUBJECT);
      assertThat(status.entrySet().stream().filter(e -> e.getKey().startsWith("bob-"))
          .map(Map.Entry::getValue)).as("bob (read) may not create").containsOnly(403);
      assertThat(accepted).as("creates accepted").isGreaterThanOrEqualTo(3L * PER_SUBJECT / 2);

      // no refused request created a job: the store holds exactly the accepted ones (the
      // controller's job index follows the writes made since the restart within a second or two
      // of its reconnect, not after jnats' 15-30 s heartbeat alarm: NatsJobIndexRestartIT)
      controller.await("the job index holds the " + accepted + " accepted jobs",
          Duration.ofSeconds(10), () -> Http.json(Http.send("GET", controller.api("/jobs/stats"),
              null, admin)).get("total").asLong() >= accepted);
      JsonNode stats = Http.json(Http.send("GET", controller.api("/jobs/stats"), null, admin));
      assertThat(stats.get("total").asLong()).isEqualTo(accepted);
      assertThat(jobOf.values()).doesNotHaveDuplicates().hasSize((int) accepted);

      // the export is the listing, oldest first
      HttpResponse<String> export = Http.send("GET", controller.api("/audit/export"), null, admin);
      assertThat(Http.status(export)).isEqualTo(200);
      List<AuditRecord> exported = export.body().lines()
          .map(l -> AuditJson.read(l.getBytes(StandardCharsets.UTF_8))).toList();
      List<AuditRecord> oldestFirst = new ArrayList<>(listed);
      java.util.Collections.reverse(oldestFirst);
      assertThat(exported).isEqualTo(oldestFirst);
      System.out.printf("audit trail through a NATS restart: %d creates sent, %d accepted, %d"
          + " refused 403, %d refused 503, %d records%n", status.size(), accepted,
          status.values().stream().filter(s -> s == 403).count(), refused503, listed.size());
    }
  }
}
