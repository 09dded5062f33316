package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.api.RawHttp;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow clients against the real jar (the all-in-one process on the embedded broker, its own JVM
 * with the default limits): 64 connections that send half a request header on each port, and a
 * client that declares a 100 MB body and sends 2 bytes. A normal client must still be answered in
 * under a second on the API, {@code /health} and {@code /metrics}; the stalled connections must be
 * closed by the server after a bounded time; the refused body's connection at once. Figures go to
 * stdout as {@code SLOWCLIENTS key = value}.
 */
class SlowClientsIT {
  private static final int STALLED = 64;
  private static final String JOB = "{\"operation\":{\"type\":\"diag.echo\"}}";

  @TempDir Path dir;

  @Test
  void stalledConnectionsFreezeNothingAndAreClosed() throws Exception {
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    try (OsProcess app = OsProcess.start("all-in-one", dir, Map.of(),
        OsProcess.javaJar(OsProcess.jar(), "--api-addr", "127.0.0.1:" + apiPort,
            "--metrics-addr", "127.0.0.1:" + metricsPort, "--worker-id", "slow-it"))) {
      URI api = URI.create("http://127.0.0.1:" + apiPort + "/api/v1");
      URI health = URI.create("http://127.0.0.1:" + metricsPort + "/health");
      URI metrics = URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
      app.await("ready", Duration.ofSeconds(60), () -> Http.status(
          URI.create("http://127.0.0.1:" + metricsPort + "/health/ready")) == 200);
      long baseline = worst(api, health, metrics);

      List<Socket> stalled = new ArrayList<>();
      long opened = System.nanoTime();
      try {
        for (int i = 0; i < STALLED; i++) {
          stalled.add(half(apiPort, "POST /api/v1/jobs HTTP/1.1\r\nHost: 127.0.0.1\r\nConte"));
          stalled.add(half(metricsPort, "GET /metrics HTTP/1.1\r\nHo"));
        }
        // every stalled connection is in the server's hands before anything is timed: a complete
        // request sent after them on each port is answered (connections are taken in order)
        for (int port : new int[] {apiPort, metricsPort}) {
          assertThat(RawHttp.send(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
              + "Connection: close\r\n\r\n", Duration.ofSeconds(10)).status())
              .as("a request after the stalled ones on port %d", port).isPositive();
        }
        long worst = worst(api, health, metrics);
        figure("baseline_worst_ms", baseline);
        figure("worst_ms_with_" + STALLED + "_stalled_per_port", worst);
        assertThat(worst).as("slowest answer (ms) with %d stalled connections per port", STALLED)
            .isLessThan(1000);

        // every stalled connection is closed by the server within the request time limit (10 s
        // from its first byte, checked every second; measured here from before the first opened)
        long lastClosed = 0;
        for (Socket s : stalled) {
          long at = awaitClosed(s, opened, Duration.ofSeconds(20));
          assertThat(at).as("a stalled connection closed by the server").isPositive();
          lastClosed = Math.max(lastClosed, at);
        }
        figure("stalled_closed_after_ms_max", lastClosed);
        assertThat(lastClosed).isBetween(9_000L, 16_000L);
      } finally {
        for (Socket s : stalled) {
          s.close();
        }
      }

      // a refused body closes the connection at once, on both ports
      RawHttp.Reply apiReply = declaredHuge(apiPort, "POST /api/v1/jobs",
          "Content-Type: application/json\r\n");
      RawHttp.Reply metricsReply = declaredHuge(metricsPort, "GET /metrics", "");
      figure("refused_body_closed_after_ms_api", apiReply.millis());
      figure("refused_body_closed_after_ms_metrics", metricsReply.millis());
      for (RawHttp.Reply r : List.of(apiReply, metricsReply)) {
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.closed()).isTrue();
        assertThat(r.millis()).isLessThan(1000);
      }
      assertThat(worst(api, health, metrics)).isLessThan(1000);
      assertThat(app.isAlive()).isTrue();
    }
  }

  private static Socket half(int port, String start) throws IOException {
    Socket s = RawHttp.open(port);
    s.getOutputStream().write(start.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
    return s;
  }

  private static RawHttp.Reply declaredHuge(int port, String requestLine, String headers)
      throws IOException {
    try (Socket s = RawHttp.open(port)) {
      s.getOutputStream().write((requestLine + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers
          + "Content-Length: 104857600\r\n\r\n{\"").getBytes(StandardCharsets.ISO_8859_1));
      return RawHttp.read(s, Duration.ofSeconds(15));
    }
  }

  /** Milliseconds after {@code since} at which the server closed {@code s}; -1 if it did not. */
  private static long awaitClosed(Socket s, long since, Duration max) throws IOException {
    long deadline = since + max.toNanos();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[1024];
    while (System.nanoTime() < deadline) {
      s.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      try {
        if (in.read(buf) < 0) {
          return (System.nanoTime() - since) / 1_000_000;
        }
      } catch (SocketTimeoutException e) {
        return -1;
      } catch (IOException e) {
        return (System.nanoTime() - since) / 1_000_000; // reset: closed as well
      }
    }
    return -1;
  }

  /** The slowest of a create, a stats read, {@code /health} and {@code /metrics}, in ms. */
  private static long worst(URI api, URI health, URI metrics) {
    long worst = 0;
    for (int round = 0; round < 3; round++) {
      worst = Math.max(worst, timed(201, () -> Http.send("POST", URI.create(api + "/jobs"), JOB)));
      worst = Math.max(worst, timed(200, () -> Http.get(URI.create(api + "/jobs/stats"))));
      worst = Math.max(worst, timed(200, () -> Http.get(health)));
      worst = Math.max(worst, timed(200, () -> Http.get(metrics)));
    }
    return worst;
  }

  private static long timed(int status, Supplier<HttpResponse<String>> call) {
    long t0 = System.nanoTime();
    HttpResponse<String> r = call.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertThat(Http.status(r)).isEqualTo(status);
    return ms;
  }

  private static void figure(String key, long value) {
    System.out.println("SLOWCLIENTS " + key + " = " + value);
  }
}
