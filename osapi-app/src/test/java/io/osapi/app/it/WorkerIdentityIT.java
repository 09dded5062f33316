package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.nats.client.Connection;
import io.nats.client.KeyValue;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Worker identity on real nats-server and jar processes (docs/reliability.md): ids that sanitise
 * alike ({@code web.01}, {@code web_01}) are two workers; a second process with a live id is
 * refused (exit 2) naming the first; a worker killed on this host is replaced at once; entries
 * that are not worker records are skipped and counted; a worker whose clock is 10 minutes behind
 * (faketime) shows a fresh heartbeat and its skew.
 */
class WorkerIdentityIT {
  private NatsServer nats;

  @RegisterExtension final ItProcesses its = new ItProcesses();

  private <T extends AutoCloseable> T keep(T c) {
    return its.keep(c);
  }

  private static JsonNode worker(Osapi c, String id) {
    HttpResponse<String> r = Http.get(c.api("/workers?limit=1000"));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    for (JsonNode w : Http.json(r).path("workers")) {
      if (w.path("id").asText().equals(id)) {
        return w;
      }
    }
    return null;
  }

  private static String broadcast(Osapi c) {
    HttpResponse<String> r = Http.send("POST", c.api("/jobs"),
        "{\"operation\":{\"type\":\"diag.echo\",\"data\":{}},\"target\":\"_all\","
            + "\"timeout_seconds\":30}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    return Http.json(r).get("job_id").asText();
  }

  @Test
  void oneIdOneIdentityAndOneLiveProcess() throws Exception {
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "identity-");
    nats = keep(NatsServer.start(dir));
    Osapi c = keep(Osapi.controller(dir, nats.url()));
    c.awaitReady();
    Osapi dot = keep(Osapi.worker(dir, nats.url(), "web.01"));
    Osapi underscore = keep(Osapi.worker(dir, nats.url(), "web_01"));
    dot.awaitReady();
    underscore.awaitReady();
    c.await("both workers listed", Duration.ofSeconds(30),
        () -> worker(c, "web.01") != null && worker(c, "web_01") != null);

    // both are expected by a broadcast and both answer it
    String id = broadcast(c);
    c.awaitEnded(List.of(id), Duration.ofSeconds(30));
    JsonNode d = c.job(id);
    assertThat(d.path("status").asText()).as(d.toString()).isEqualTo("completed");
    assertThat(d.at("/workers/web.01/state").asText()).isEqualTo("completed");
    assertThat(d.at("/workers/web_01/state").asText()).isEqualTo("completed");

    // draining one leaves the other ready
    assertThat(Http.send("POST", c.api("/workers/web.01/drain"), "").statusCode()).isEqualTo(200);
    c.await("web.01 cordoned", Duration.ofSeconds(30),
        () -> "cordoned".equals(worker(c, "web.01").path("state").asText()));
    assertThat(worker(c, "web_01").path("state").asText()).isEqualTo("ready");
    assertThat(Http.send("POST", c.api("/workers/web.01/undrain"), "").statusCode())
        .isEqualTo(200);

    // a second process with a live id is refused at start, naming the first
    Osapi second = keep(Osapi.worker(dir, nats.url(), "web.01"));
    assertThat(second.process().awaitExit(Duration.ofSeconds(60))).as(second.report())
        .isEqualTo(2);
    assertThat(second.process().stderr())
        .contains("worker id web.01 is in use by a live process")
        .contains(" pid " + dot.pid() + ",")
        .contains("started ");
    assertThat(dot.isAlive()).isTrue();
    c.await("web.01 still listed with its own process", Duration.ofSeconds(15),
        () -> worker(c, "web.01") != null);

    // stopping one keeps the other's entry
    underscore.close();
    c.await("web_01 gone", Duration.ofSeconds(30), () -> worker(c, "web_01") == null);
    assertThat(worker(c, "web.01")).isNotNull();

    // killed on this host, it is replaced at once (its entry's process is gone)
    dot.kill();
    assertThat(worker(c, "web.01")).as("the killed one's entry is still fresh").isNotNull();
    Osapi again = keep(Osapi.worker(dir, nats.url(), "web.01"));
    again.awaitReady();
    String after = broadcast(c);
    c.awaitEnded(List.of(after), Duration.ofSeconds(30));
    assertThat(c.job(after).at("/workers/web.01/state").asText()).isEqualTo("completed");
  }

  @Test
  void entriesThatAreNotWorkerRecordsAreSkippedAndASkewedClockShowsNoStaleHeartbeat()
      throws Exception {
    Path faketime = OsProcess.binary("faketime", "faketime");
    Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "it")),
        "registry-");
    nats = keep(NatsServer.start(dir));
    Osapi c = keep(Osapi.controller(dir, nats.url()));
    c.awaitReady();
    Osapi slow = keep(Osapi.workerUnder(List.of(faketime.toString(), "-f", "-600s"), dir,
        nats.url(), "slow-clock"));
    Osapi ok = keep(Osapi.worker(dir, nats.url(), "ok-clock"));
    slow.awaitReady();
    ok.awaitReady();
    c.await("both listed", Duration.ofSeconds(30),
        () -> worker(c, "slow-clock") != null && worker(c, "ok-clock") != null);
    // a positive control: the worker's own clock is 10 minutes behind
    JsonNode s = worker(c, "slow-clock");
    Instant written = Instant.parse(s.path("last_heartbeat").asText());
    assertThat(Duration.between(written, Instant.now())).isGreaterThan(Duration.ofSeconds(590));
    assertThat(s.path("heartbeat_age_seconds").asDouble()).isLessThan(15);
    assertThat(s.path("clock_skew_seconds").asDouble()).isBetween(-610.0, -590.0);
    assertThat(worker(c, "ok-clock").path("clock_skew_seconds").asDouble()).isBetween(-2.0, 2.0);
    c.await("the skew on /metrics", Duration.ofSeconds(30), () -> {
      double v = c.metric("osapi_worker_clock_skew_seconds", "worker=\"slow-clock\"");
      return v < -590 && v > -610;
    });
    assertThat(c.metric("osapi_worker_heartbeat_age_seconds", "worker=\"slow-clock\""))
        .isLessThan(15);
    c.process().await("the skew warned about", Duration.ofSeconds(30),
        () -> c.process().stderr().contains("worker slow-clock's clock is 600 s behind")
            || c.process().stdout().contains("worker slow-clock's clock is 600 s behind"));

    // entries written straight into the bucket: an id full of quotes and newlines, not JSON
    assertThat(c.metric("osapi_worker_entries_invalid")).as("positive control").isZero();
    String t = Instant.now().toString();
    try (Connection nc = nats.connect()) {
      KeyValue kv = nc.keyValue("osapi-workers");
      kv.put("workers.forged", ("{\"id\":\"a\\\"b\\n\\\"c\",\"labels\":{},\"started\":\"" + t
          + "\",\"last_heartbeat\":\"" + t + "\",\"active_jobs\":0,\"concurrency\":1}")
          .getBytes(StandardCharsets.UTF_8));
      kv.put("workers.junk", "not json".getBytes(StandardCharsets.UTF_8));
    }
    c.await("the entries counted", Duration.ofSeconds(30),
        () -> c.metric("osapi_worker_entries_invalid") == 2);
    String id = broadcast(c);
    c.awaitEnded(List.of(id), Duration.ofSeconds(30));
    JsonNode d = c.job(id);
    assertThat(d.path("status").asText()).as(d.toString()).isEqualTo("completed");
    assertThat(d.path("workers").size()).isEqualTo(2);
  }
}
