package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real Prometheus (Debian package {@code prometheus}) on a free loopback port with a fresh TSDB
 * in the test's directory, started with the configuration the test gives.
 */
public final class PrometheusServer implements AutoCloseable {
  private final OsProcess process;
  private final int port;

  private PrometheusServer(OsProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  /** Starts Prometheus with {@code config} (prometheus.yml text); waits until it is ready. */
  public static PrometheusServer start(Path dir, String config) {
    return start(dir, config, List.of());
  }

  /** As {@link #start(Path, String)}, with extra flags (such as {@code --enable-feature=...}). */
  public static PrometheusServer start(Path dir, String config, List<String> flags) {
    try {
      Path cfg = Files.writeString(dir.resolve("prometheus.yml"), config);
      Path data = Files.createDirectories(dir.resolve("tsdb"));
      int port = Ports.free();
      List<String> cmd = new java.util.ArrayList<>(List.of(
          OsProcess.binary("prometheus", "prometheus").toString(),
          "--config.file=" + cfg, "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
      cmd.addAll(flags);
      OsProcess p = OsProcess.start("prometheus", dir, Map.of(), cmd);
      PrometheusServer s = new PrometheusServer(p, port);
      p.await("Prometheus ready", Duration.ofSeconds(30),
          () -> Http.status(s.uri("/-/ready")) == 200);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** {@code GET /api/v1/query}: the whole JSON answer (status, data.result or error). */
  public JsonNode query(String promql) {
    HttpResponse<String> r = Http.get(
        uri("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)));
    if (r == null) {
      throw new AssertionError("Prometheus does not answer\n" + process.report());
    }
    return Http.json(r);
  }

  /**
   * {@code GET /api/v1/query_exemplars} over the last hour: the whole JSON answer (needs {@code
   * --enable-feature=exemplar-storage}).
   */
  public JsonNode queryExemplars(String promql) {
    long now = System.currentTimeMillis() / 1000;
    HttpResponse<String> r = Http.get(uri("/api/v1/query_exemplars?query="
        + URLEncoder.encode(promql, StandardCharsets.UTF_8) + "&start=" + (now - 3600)
        + "&end=" + (now + 60)));
    if (r == null) {
      throw new AssertionError("Prometheus does not answer\n" + process.report());
    }
    return Http.json(r);
  }

  /** {@code GET /api/v1/rules}. */
  public JsonNode rules() {
    HttpResponse<String> r = Http.get(uri("/api/v1/rules"));
    assertThat(Http.status(r)).as("GET /api/v1/rules").isEqualTo(200);
    return Http.json(r);
  }

  /** {@code GET /api/v1/targets?state=active}. */
  public JsonNode targets() {
    HttpResponse<String> r = Http.get(uri("/api/v1/targets?state=active"));
    assertThat(Http.status(r)).as("GET /api/v1/targets").isEqualTo(200);
    return Http.json(r);
  }

  public String report() {
    return process.report();
  }

  @Override
  public void close() {
    process.close();
  }
}
