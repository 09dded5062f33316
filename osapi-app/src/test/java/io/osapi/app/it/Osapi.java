package io.osapi.app.it;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * One osapi process (the shaded jar: all-in-one, controller or worker) on free loopback ports, and
 * the HTTP calls the tests make to it.
 *
 * <p>Shared by the end-to-end, reliability and doc tests.
 */
public final class Osapi implements AutoCloseable {
  public static final Duration START = Duration.ofSeconds(60);
  public static final Set<String> TERMINAL = Set.of("completed", "failed", "partial_failure",
      "cancelled");

  private final OsProcess process;
  public final int metricsPort;
  public final int apiPort;

  private Osapi(OsProcess process, int metricsPort, int apiPort) {
    this.process = process;
    this.metricsPort = metricsPort;
    this.apiPort = apiPort;
  }

  /** The key file of a worker started in {@code dir}: kept across its restarts there. */
  static String keyFile(Path dir, String workerId) {
    return dir.resolve("worker-" + workerId + ".key").toString();
  }

  /** The all-in-one process on NATS, with extra arguments. */
  public static Osapi allInOne(Path dir, String natsUrl, String workerId, String... extra) {
    int m = Ports.free();
    int a = Ports.free();
    List<String> args = new ArrayList<>(List.of("--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--api-addr", "127.0.0.1:" + a,
        "--worker-id", workerId, "--worker-key-file", keyFile(dir, workerId)));
    args.addAll(List.of(extra));
    return new Osapi(OsProcess.start("all-in-one", dir, Map.of(),
        OsProcess.jarCommand(args.toArray(String[]::new))), m, a);
  }

  /** A controller on NATS, with extra arguments. */
  public static Osapi controller(Path dir, String natsUrl, String... extra) {
    int m = Ports.free();
    int a = Ports.free();
    List<String> args = new ArrayList<>(List.of("controller", "--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--api-addr", "127.0.0.1:" + a));
    args.addAll(List.of(extra));
    return new Osapi(OsProcess.start("controller", dir, Map.of(),
        OsProcess.jarCommand(args.toArray(String[]::new))), m, a);
  }

  /**
   * A worker on NATS run by {@code wrapper} (such as {@code faketime -f -600s}), with extra
   * arguments.
   */
  public static Osapi workerUnder(List<String> wrapper, Path dir, String natsUrl, String workerId,
      String... extra) {
    int m = Ports.free();
    List<String> args = new ArrayList<>(List.of("worker", "--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--worker-id", workerId));
    args.addAll(List.of(extra));
    List<String> cmd = new ArrayList<>(wrapper);
    cmd.addAll(OsProcess.jarCommand(args.toArray(String[]::new)));
    return new Osapi(OsProcess.start("worker-" + workerId, dir, Map.of(), cmd), m, -1);
  }

  /** A worker on NATS, with extra arguments (such as {@code --concurrency 2}). */
  public static Osapi worker(Path dir, String natsUrl, String workerId, String... extra) {
    int m = Ports.free();
    List<String> args = new ArrayList<>(List.of("worker", "--nats", natsUrl,
        "--metrics-addr", "127.0.0.1:" + m, "--worker-id", workerId,
        "--worker-key-file", keyFile(dir, workerId)));
    args.addAll(List.of(extra));
    return new Osapi(OsProcess.start("worker-" + workerId, dir, Map.of(),
        OsProcess.jarCommand(args.toArray(String[]::new))), m, -1);
  }

  public String metricsTarget() {
    return "127.0.0.1:" + metricsPort;
  }

  public URI metrics() {
    return URI.create("http://127.0.0.1:" + metricsPort + "/metrics");
  }

  /** A URI on the metrics port, like {@code /health/ready}. */
  public URI metricsPort(String path) {
    return URI.create("http://127.0.0.1:" + metricsPort + path);
  }

  /** A URI of the job API: {@code path} below {@code /api/v1}. */
  public URI api(String path) {
    return URI.create("http://127.0.0.1:" + apiPort + "/api/v1" + path);
  }

  /** Waits until {@code /health/ready} answers 200. */
  public void awaitReady() {
    URI ready = metricsPort("/health/ready");
    process.await(this + " ready", START, () -> Http.status(ready) == 200);
  }

  public void await(String what, Duration timeout, BooleanSupplier condition) {
    process.await(what, timeout, condition);
  }

  /** The text exposition of {@code /metrics}, as Prometheus' default scrape asks for it. */
  public String scrape() {
    return scrape(null);
  }

  /** {@code /metrics} with an {@code Accept} header (null for none). */
  public String scrape(String accept) {
    HttpResponse<String> r = Http.get(metrics(), accept);
    if (r == null || r.statusCode() != 200) {
      throw new AssertionError("GET " + metrics() + " answered " + (r == null ? "nothing"
          : r.statusCode() + ": " + r.body()) + "\n" + process.report());
    }
    return r.body();
  }

  /** One value from {@code /metrics} (see {@link Scrape#sum}); NaN when absent. */
  public double metric(String name, String... labels) {
    return Scrape.sum(scrape(), name, labels);
  }

  /** The POST of a job: the raw response, null when nothing listens. */
  public HttpResponse<String> post(String type, String data) {
    String body = "{\"operation\":{\"type\":\"" + type + "\""
        + (data == null ? "" : ",\"data\":" + data) + "}}";
    return Http.send("POST", api("/jobs"), body);
  }

  /**
   * Submits a job; returns its id, or null when the API refused it (while NATS is down, say).
   *
   * @param data the operation's data as JSON, or null
   */
  public String submit(String type, String data) {
    HttpResponse<String> r = post(type, data);
    if (r == null || r.statusCode() != 201) {
      return null;
    }
    return Http.json(r).get("job_id").asText();
  }

  /** The job detail, or null when it cannot be read. */
  public JsonNode job(String jobId) {
    HttpResponse<String> r = Http.get(api("/jobs/" + jobId));
    if (r == null || r.statusCode() != 200) {
      return null;
    }
    return Http.json(r);
  }

  /** The job's status, or null when it cannot be read. */
  public String status(String jobId) {
    JsonNode j = job(jobId);
    return j == null ? null : j.path("status").asText(null);
  }

  /** Waits until every job has ended (completed, failed or partial_failure). */
  public void awaitEnded(List<String> ids, Duration timeout) {
    process.await("jobs " + ids + " to end", timeout,
        () -> ids.stream().allMatch(id -> TERMINAL.contains(String.valueOf(status(id)))));
  }

  public OsProcess process() {
    return process;
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** SIGKILL. */
  public void kill() {
    process.kill();
  }

  public String report() {
    return process.report();
  }

  @Override
  public String toString() {
    return process.name() + " (" + (apiPort > 0 ? "metrics " + metricsPort + ", api " + apiPort
        : "metrics " + metricsPort) + ")";
  }

  @Override
  public void close() {
    process.close();
  }
}
