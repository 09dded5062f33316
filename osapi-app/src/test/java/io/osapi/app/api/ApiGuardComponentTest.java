package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.http.ExchangeThreads;
import io.osapi.app.wiring.TestApp;
import io.osapi.app.wiring.TestAppComponent;
import io.osapi.core.testing.RecordingJobMetrics;
import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The request guards of the REST API over real HTTP on loopback (the Dagger test component):
 * cross-site requests and DNS rebinding (Host, Origin, Content-Type), slow clients on both ports
 * of the process, and refused bodies. After each refused request nothing is stored.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(120)
class ApiGuardComponentTest {
  private static final String JOB = "{\"operation\":{\"type\":\"diag.echo\"}}";

  private TestApp app;
  private RecordingJobMetrics metrics;

  @BeforeAll
  void start() throws Exception {
    app = TestApp.withHostNames(List.of("osapi.example.net"));
    metrics = app.component(TestAppComponent.class).metrics();
  }

  @AfterAll
  void stop() {
    app.close();
  }

  private int apiPort() {
    return app.controller().getPort();
  }

  private int metricsPort() {
    return app.metricsUri().getPort();
  }

  private RawHttp.Reply raw(String method, String path, String host, String... headers)
      throws IOException {
    StringBuilder req = new StringBuilder(method + " " + path + " HTTP/1.1\r\n");
    if (host != null) {
      req.append("Host: ").append(host).append("\r\n");
    }
    for (String h : headers) {
      req.append(h).append("\r\n");
    }
    req.append("Connection: close\r\n\r\n");
    return RawHttp.send(apiPort(), req.toString(), Duration.ofSeconds(5));
  }

  private long stored() {
    return Http.json(app.send("GET", "/api/v1/jobs/stats", null)).get("total").asLong();
  }

  /** Runs {@code request}, checks it was refused with {@code status} and stored nothing. */
  private void refusedStoringNothing(int status, Supplier<Integer> request) {
    long before = stored();
    long created = metrics.createdTotal();
    assertThat(request.get()).isEqualTo(status);
    assertThat(stored()).isEqualTo(before);
    assertThat(metrics.createdTotal()).isEqualTo(created);
  }

  private HttpResponse<String> post(String path, String body, String... headers) {
    return app.send("POST", path, body, b -> headers.length == 0 ? b : b.headers(headers));
  }

  // ---- DNS rebinding: Host

  @Test
  void aForeignHostIs421() throws Exception {
    for (String host : List.of("rebind.evil.example", "rebind.evil.example:" + apiPort(),
        "localhost.evil.example", "evil.localhost", "127.0.0.1.nip.io", "osapi.example.net.evil",
        "")) {
      RawHttp.Reply r = raw("GET", "/api/v1/jobs/stats", host);
      assertThat(r.status()).as("Host: %s", host).isEqualTo(421);
      assertThat(r.text()).containsIgnoringCase("Content-Type: application/json");
      assertThat(Http.json(r.body()).get("error").asText()).contains("--api-host-names");
    }
    long before = stored();
    RawHttp.Reply post = raw("POST", "/api/v1/jobs", "rebind.evil.example",
        "Content-Type: application/json", "Content-Length: " + JOB.length() + "\r\n\r\n" + JOB);
    assertThat(post.status()).isEqualTo(421);
    assertThat(stored()).isEqualTo(before);
  }

  @Test
  void theNamesTheApiAnswersFor() throws Exception {
    int p = apiPort();
    for (String host : List.of("127.0.0.1:" + p, "127.0.0.1", "localhost:" + p, "LOCALHOST",
        "localhost.", "[::1]:" + p, "10.1.2.3:" + p, "osapi.example.net", "OSAPI.Example.NET.:80")) {
      assertThat(raw("GET", "/api/v1/jobs/stats", host).status()).as("Host: %s", host)
          .isEqualTo(200);
    }
    // HTTP/1.0 without Host: no browser sends that
    RawHttp.Reply old = RawHttp.send(p, "GET /api/v1/jobs/stats HTTP/1.0\r\n\r\n",
        Duration.ofSeconds(5));
    assertThat(old.text()).startsWith("HTTP/1.1 200");
  }

  // ---- cross-site: Content-Type

  @Test
  void aJobChangingPostMustBeJson() {
    for (String type : List.of("text/plain", "text/plain;charset=UTF-8",
        "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
        "application/jsonx", "application/json-patch+json")) {
      refusedStoringNothing(415, () -> {
        HttpResponse<String> r = post("/api/v1/jobs", JOB, "Content-Type", type);
        assertThat(Http.json(r.body()).get("error").asText()).contains("application/json");
        return r.statusCode();
      });
    }
    // no Content-Type at all
    refusedStoringNothing(415, () -> app.send("POST", "/api/v1/jobs", JOB, b -> b).statusCode());
    // a retry too, with or without a body
    String id = Http.json(app.send("POST", "/api/v1/jobs", JOB)).get("job_id").asText();
    refusedStoringNothing(415, () -> post("/api/v1/jobs/" + id + "/retry", "{}",
        "Content-Type", "text/plain").statusCode());
    refusedStoringNothing(415, () -> app.send("POST", "/api/v1/jobs/" + id + "/retry", null,
        b -> b).statusCode());
    // parameters and case do not matter
    assertThat(post("/api/v1/jobs", JOB, "Content-Type", "application/json; charset=utf-8")
        .statusCode()).isEqualTo(201);
    assertThat(post("/api/v1/jobs", JOB, "Content-Type", "Application/JSON").statusCode())
        .isEqualTo(201);
    // reads and deletes carry no body and need none
    assertThat(app.send("GET", "/api/v1/jobs", null, b -> b).statusCode()).isEqualTo(200);
    assertThat(app.send("DELETE", "/api/v1/jobs/" + id, null, b -> b).statusCode())
        .isEqualTo(204);
  }

  // ---- cross-site: Origin

  @Test
  void aForeignOriginCannotChangeJobs() {
    String json = "application/json";
    for (String origin : List.of("http://evil.example", "https://evil.example",
        "http://127.0.0.1:1", "http://localhost:" + apiPort(), "null", "file://",
        "http://osapi.example.net.evil.example")) {
      refusedStoringNothing(403, () -> post("/api/v1/jobs", JOB, "Content-Type", json,
          "Origin", origin).statusCode());
    }
    String id = Http.json(app.send("POST", "/api/v1/jobs", JOB)).get("job_id").asText();
    refusedStoringNothing(403, () -> app.send("DELETE", "/api/v1/jobs/" + id, null,
        b -> b.header("Origin", "http://evil.example")).statusCode());
    refusedStoringNothing(403, () -> post("/api/v1/jobs/" + id + "/retry", "{}",
        "Content-Type", json, "Origin", "http://evil.example").statusCode());
    // reads are not refused (without CORS headers a browser does not show the answer to the page)
    assertThat(app.send("GET", "/api/v1/jobs/" + id, null,
        b -> b.header("Origin", "http://evil.example")).statusCode()).isEqualTo(200);
    // same origin, and a configured name (a page behind a reverse proxy)
    assertThat(post("/api/v1/jobs", JOB, "Content-Type", json,
        "Origin", "http://127.0.0.1:" + apiPort()).statusCode()).isEqualTo(201);
    assertThat(post("/api/v1/jobs", JOB, "Content-Type", json,
        "Origin", "https://osapi.example.net").statusCode()).isEqualTo(201);
  }

  // ---- slow clients

  @Test
  void stalledConnectionsDoNotDelayOthers() throws Exception {
    List<Socket> stalled = new ArrayList<>();
    try {
      for (int i = 0; i < 64; i++) {
        stalled.add(halfHeader(apiPort(), "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nCont"));
        stalled.add(halfHeader(metricsPort(), "GET /metrics HTTP/1.1\r\nHo"));
      }
      // and a few that declared a body and send it slowly, holding no request slot
      for (int i = 0; i < 16; i++) {
        stalled.add(halfHeader(apiPort(), "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"oper"));
      }
      // every stalled connection is held by the server (an exchange thread reading its request or
      // its body) before anything is timed
      Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
          .until(() -> ExchangeThreads.busy("osapi-api") >= 80
              && ExchangeThreads.busy("osapi-metrics-http") >= 64);
      for (int round = 0; round < 3; round++) {
        assertFast("create", () -> app.send("POST", "/api/v1/jobs", JOB).statusCode(), 201);
        assertFast("stats", () -> app.send("GET", "/api/v1/jobs/stats", null).statusCode(), 200);
        assertFast("/health", () -> app.get(app.metricsUri().resolve("/health")).statusCode(),
            200);
        assertFast("/metrics", () -> app.get(app.metricsUri()).statusCode(), 200);
      }
    } finally {
      for (Socket s : stalled) {
        s.close();
      }
    }
  }

  private static Socket halfHeader(int port, String start) throws IOException {
    Socket s = RawHttp.open(port);
    s.getOutputStream().write(start.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  private static void assertFast(String what, Supplier<Integer> call, int status) {
    long t0 = System.nanoTime();
    int got = call.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(got).as(what).isEqualTo(status);
    assertThat(ms).as("%s took %d ms with 64 stalled connections on each port", what, ms)
        .isLessThan(1000);
  }

  // ---- refused bodies

  @Test
  void aRefusedBodyClosesTheConnectionAtOnce() throws Exception {
    long before = stored();
    for (String path : List.of("/api/v1/jobs", "/api/v1/jobs/" + "x" + "/retry")) {
      try (Socket s = RawHttp.open(apiPort())) {
        s.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Content-Type: application/json\r\nContent-Length: 104857600\r\n\r\n{\"")
            .getBytes(StandardCharsets.ISO_8859_1));
        RawHttp.Reply r = RawHttp.read(s, Duration.ofSeconds(5));
        assertThat(r.status()).as(path).isEqualTo(413);
        assertThat(r.text()).containsIgnoringCase("Connection: close")
            .contains("application/json");
        assertThat(Http.json(r.body()).at("/details/max_body_bytes").asInt()).isEqualTo(65536);
        assertThat(r.closed()).as("connection closed").isTrue();
        assertThat(r.millis()).as("closed after ms").isLessThan(2000);
      }
    }
    try (Socket s = RawHttp.open(metricsPort())) {
      s.getOutputStream().write(("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Length: 104857600\r\n\r\nxx").getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Reply r = RawHttp.read(s, Duration.ofSeconds(5));
      assertThat(r.status()).isEqualTo(413);
      assertThat(r.closed()).isTrue();
      assertThat(r.millis()).isLessThan(2000);
    }
    assertThat(stored()).isEqualTo(before);
    // both servers still answer
    assertThat(app.send("POST", "/api/v1/jobs", JOB).statusCode()).isEqualTo(201);
    assertThat(app.get(app.metricsUri()).statusCode()).isEqualTo(200);
  }

  @Test
  void aBodyWithinTheCapKeepsTheConnection() throws Exception {
    String req = "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
        + "\r\nContent-Length: " + JOB.length() + "\r\n\r\n" + JOB;
    try (Socket s = RawHttp.open(apiPort())) {
      s.getOutputStream().write((req + req).getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Reply r = RawHttp.read(s, Duration.ofMillis(1500));
      assertThat(r.text().split("HTTP/1.1 201", -1)).as(r.text()).hasSize(3);
      assertThat(r.closed()).isFalse();
    }
  }

  /** JSON of the tests (a copy of the IT helper, which lives in another package). */
  private static final class Http {
    static JsonNode json(HttpResponse<String> r) {
      return json(r.body());
    }

    static JsonNode json(String body) {
      try {
        return ApiJson.mapper().readTree(body);
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + body, e);
      }
    }
  }
}
