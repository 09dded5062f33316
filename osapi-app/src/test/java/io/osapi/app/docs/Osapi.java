package io.osapi.app.docs;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One osapi process (the shaded jar: all-in-one, controller or worker) on free loopback ports, and
 * the HTTP calls the doc tests make to it.
 */
final class Osapi implements AutoCloseable {
  static final Duration START = Duration.ofSeconds(60);
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "partial_failure");
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Proc process;
  final int metricsPort;
  final int apiPort;

  private Osapi(Proc process, int metricsPort, int apiPort) {
    this.process = process;
    this.metricsPort = metricsPort;
    this.apiPort = apiPort;
  }

  /** The all-in-one process on NATS. */
  static Osapi allInOne(Path dir, String natsUrl, String workerId, String... extra) {
    int m = Proc.freePort();
    int a = Proc.freePort();
    List<String> args = new ArrayList<>(List.of("--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--api-addr", "127.0.0.1:" + a,
        "--worker-id", workerId));
    args.addAll(List.of(extra));
    return new Osapi(Proc.start("all-in-one", dir, Proc.javaJar(args.toArray(String[]::new))), m,
        a);
  }

  /** A controller on NATS. */
  static Osapi controller(Path dir, String natsUrl) {
    int m = Proc.freePort();
    int a = Proc.freePort();
    return new Osapi(Proc.start("controller", dir, Proc.javaJar("controller", "--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--api-addr", "127.0.0.1:" + a)), m, a);
  }

  /** A worker on NATS. */
  static Osapi worker(Path dir, String natsUrl, String workerId) {
    int m = Proc.freePort();
    return new Osapi(Proc.start("worker-" + workerId, dir, Proc.javaJar("worker", "--nats",
        natsUrl, "--metrics-addr", "127.0.0.1:" + m, "--worker-id", workerId)), m, -1);
  }

  String metricsTarget() {
    return "127.0.0.1:" + metricsPort;
  }

  URI metrics() {
    return URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
  }

  URI api(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + "/api/v1" + path);
  }

  /** Waits until {@code /health/ready} answers 200. */
  void awaitReady() {
    URI ready = URI.create("http://127.0.0.1:" + metricsPort + "/health/ready");
    process.await(this + " ready", START, () -> status(get(ready, null)) == 200);
  }

  void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    process.await(what, timeout, condition);
  }

  /** The text exposition of {@code /metrics}, as Prometheus' default scrape asks for it. */
  String scrape() {
    return scrape(null);
  }

  /** {@code /metrics} with an {@code Accept} header (null for none). */
  String scrape(String accept) {
    HttpResponse<String> r = get(metrics(), accept);
    if (r == null || r.statusCode() != 200) {
      throw new AssertionError("GET " + metrics() + " answered " + (r == null ? "nothing"
          : r.statusCode() + ": " + r.body()) + "\n" + process.report());
    }
    return r.body();
  }

  /**
   * Submits a job; returns its id, or null when the API refused it (while NATS is down, say).
   *
   * @param data the operation's data as JSON, or null
   */
  String submit(String type, String data) {
    String body = "{\"operation\":{\"type\":\"" + type + "\""
        + (data == null ? "" : ",\"data\":" + data) + "}}";
    HttpResponse<String> r = send("POST", api("/jobs"), body);
    if (r == null || r.statusCode() != 201) {
      return null;
    }
    return json(r.body()).get("job_id").asText();
  }

  /** The job's status, or null when it cannot be read. */
  String status(String jobId) {
    HttpResponse<String> r = get(api("/jobs/" + jobId), null);
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    return json(r.body()).path("status").asText(null);
  }

  /** Waits until every job has ended (completed, failed or partial_failure). */
  void awaitEnded(List<String> ids, Duration timeout) {
    process.await("jobs " + ids + " to end", timeout,
        () -> ids.stream().allMatch(id -> TERMINAL.contains(String.valueOf(status(id)))));
  }

  String report() {
    return process.report();
  }

  @Override
  public String toString() {
    return "osapi " + (apiPort > 0 ? "metrics " + metricsPort + ", api " + apiPort
        : "worker metrics " + metricsPort);
  }

  @Override
  public void close() {
    process.close();
  }

  static HttpResponse<String> get(URI uri, String accept) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).GET();
    if (accept != null) {
      b.header("Accept", accept);
    }
    return call(b.build());
  }

  static HttpResponse<String> send(String method, URI uri, String body) {
    return call(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build());
  }

  private static HttpResponse<String> call(HttpRequest req) {
    try {
      return CLIENT.send(req, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static int status(HttpResponse<String> r) {
    return r == null ? 0 : r.statusCode();
  }

  static JsonNode json(String body) {
    try {
      return ApiJson.mapper().readTree(body);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + body, e);
    }
  }
}
