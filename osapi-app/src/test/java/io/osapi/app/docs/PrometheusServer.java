package io.osapi.app.docs;

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

/**
 * A real Prometheus (Debian package {@code prometheus}) on a free loopback port with a fresh TSDB,
 * scraping every second with the scrape jobs and rules of {@code docs/prometheus/}.
 */
final class PrometheusServer implements AutoCloseable {
  private final Proc process;
  private final int port;

  private PrometheusServer(Proc process, int port) {
    this.process = process;
    this.port = port;
  }

  /**
   * {@code docs/prometheus/prometheus.yml} as an operator would adapt it: the targets replaced by
   * the test's processes, 1 s scrape and evaluation intervals, the rule file by its full path.
   */
  static String configFromDocs(String controllerTarget, String workerTarget) {
    String yml = DocFiles.read("docs/prometheus/prometheus.yml");
    String alerts = DocFiles.file("docs/prometheus/alerts.yml").toAbsolutePath().toString();
    String out = replace(yml, "scrape_interval: 15s", "scrape_interval: 1s");
    out = replace(out, "evaluation_interval: 15s", "evaluation_interval: 1s");
    out = replace(out, "\"127.0.0.1:9090\"", "\"" + controllerTarget + "\"");
    out = replace(out, "\"127.0.0.1:9091\"", "\"" + workerTarget + "\"");
    return replace(out, "- alerts.yml", "- " + alerts);
  }

  private static String replace(String text, String what, String with) {
    assertThat(text).as("docs/prometheus/prometheus.yml has %s", what).contains(what);
    return text.replace(what, with);
  }

  static PrometheusServer start(Path dir, String config) {
    try {
      Path cfg = Files.writeString(dir.resolve("prometheus.yml"), config);
      Path data = Files.createDirectories(dir.resolve("tsdb"));
      int port = Proc.freePort();
      Proc p = Proc.start("prometheus", dir, List.of(
          Proc.binary("prometheus", "prometheus").toString(),
          "--config.file=" + cfg, "--storage.tsdb.path=" + data,
          "--web.listen-address=127.0.0.1:" + port, "--log.level=warn"));
      PrometheusServer s = new PrometheusServer(p, port);
      p.await("Prometheus ready", Duration.ofSeconds(30),
          () -> Osapi.status(Osapi.get(s.uri("/-/ready"), null)) == 200);
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** {@code GET /api/v1/query}: the whole JSON answer (status, data.result or error). */
  JsonNode query(String promql) {
    HttpResponse<String> r = Osapi.get(
        uri("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)), null);
    if (r == null) {
      throw new AssertionError("Prometheus does not answer\n" + process.report());
    }
    return Osapi.json(r.body());
  }

  /** {@code GET /api/v1/rules}. */
  JsonNode rules() {
    HttpResponse<String> r = Osapi.get(uri("/api/v1/rules"), null);
    assertThat(Osapi.status(r)).as("GET /api/v1/rules").isEqualTo(200);
    return Osapi.json(r.body());
  }

  /** {@code GET /api/v1/targets?state=active}. */
  JsonNode targets() {
    HttpResponse<String> r = Osapi.get(uri("/api/v1/targets?state=active"), null);
    assertThat(Osapi.status(r)).as("GET /api/v1/targets").isEqualTo(200);
    return Osapi.json(r.body());
  }

  String report() {
    return process.report();
  }

  @Override
  public void close() {
    process.close();
  }
}
