package io.osapi.app.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.HostPort;
import io.osapi.app.config.Secret;
import io.osapi.app.runtime.Managed;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The controller's HTTP server for the REST API: {@code /api/v1/...} goes to {@link JobsApi}
 * through the given filters (the HTTP server metrics); anything else is a JSON 404. Requests run
 * on a bounded pool; when its queue is full, new connections are closed rather than queued without
 * limit.
 */
public final class ApiServer implements Managed, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());

  static {
    // without TCP_NODELAY the JDK server delays each small response by about 40 ms; the JDK reads
    // this once, when the first server of the JVM is created
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HostPort address;
  private final JobsApi api;
  private final List<Filter> filters;
  private final int threads;
  private final Optional<Secret> token;
  private HttpServer server;
  private ThreadPoolExecutor executor;

  /**
   * @param address where to listen
   * @param api the request handler
   * @param filters filters every request passes through, outermost first
   * @param threads request threads
   * @param token the configured bearer token, only for the hint in the banner
   */
  public ApiServer(
      HostPort address, JobsApi api, List<Filter> filters, int threads, Optional<Secret> token) {
    this.address = Objects.requireNonNull(address, "address");
    this.api = Objects.requireNonNull(api, "api");
    this.filters = List.copyOf(filters);
    this.threads = threads;
    this.token = Objects.requireNonNull(token, "token");
  }

  @Override
  public String name() {
    return "REST API";
  }

  /**
   * Binds and starts serving.
   *
   * @throws ConfigException when the address cannot be bound (in use, not local)
   * @throws IOException when the server cannot be created
   */
  public synchronized void start() throws IOException {
    if (server != null) {
      return;
    }
    AtomicInteger n = new AtomicInteger();
    executor =
        new ThreadPoolExecutor(
            threads, threads, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(threads * 16),
            r -> {
              Thread t = new Thread(r, "osapi-api-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.AbortPolicy());
    HttpServer s;
    try {
      s = HttpServer.create(address.socketAddress(), 128);
    } catch (BindException e) {
      executor.shutdown();
      throw new ConfigException("--api-addr", "cannot listen on " + address + ": " + e.getMessage());
    }
    s.setExecutor(executor);
    HttpContext ctx = s.createContext(ApiRoute.BASE + "/", api);
    ctx.getFilters().addAll(filters);
    HttpContext root = s.createContext("/", ApiServer::notFound);
    root.getFilters().addAll(filters);
    s.start();
    server = s;
    LOG.log(Level.INFO, "REST API listening on {0}", baseUri());
  }

  /** The bound address (with the real port when 0 was asked for). */
  public synchronized InetSocketAddress boundAddress() {
    if (server == null) {
      throw new IllegalStateException("not started");
    }
    return server.getAddress();
  }

  /** The URL of the API base, such as {@code http://127.0.0.1:8080/api/v1}. */
  public URI baseUri() {
    return URI.create(
        "http://" + address.urlHost() + ":" + boundAddress().getPort() + ApiRoute.BASE);
  }

  /** True between start and stop. */
  public synchronized boolean isRunning() {
    return server != null;
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of("http");
  }

  @Override
  public boolean healthy() {
    return isRunning();
  }

  @Override
  public void stop(Instant deadline) {
    stop(Duration.ofSeconds(1));
  }

  @Override
  public List<String> describe() {
    String auth = token.map(t -> " -H \"Authorization: Bearer $(cat "
        + t.file().map(Object::toString).orElse("TOKEN_FILE") + ")\"").orElse("");
    return List.of(
        "API:      " + baseUri(),
        "try:      curl -s -X POST " + baseUri() + "/jobs -H 'Content-Type: application/json'"
            + auth + " -d '{\"operation\":{\"type\":\"system.hostname.get\"}}'");
  }

  /**
   * Stops accepting requests, lets running ones finish for up to {@code grace}, then closes.
   * Idempotent.
   */
  public void stop(Duration grace) {
    HttpServer s;
    ThreadPoolExecutor e;
    synchronized (this) {
      s = server;
      e = executor;
      server = null;
      executor = null;
    }
    if (s == null) {
      return;
    }
    s.stop((int) Math.max(0, Math.min(Integer.MAX_VALUE, grace.toSeconds())));
    e.shutdown();
    try {
      if (!e.awaitTermination(Math.max(100, grace.toMillis()), TimeUnit.MILLISECONDS)) {
        e.shutdownNow();
      }
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      e.shutdownNow();
    }
    LOG.log(Level.INFO, "REST API stopped");
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(1));
  }

  private static void notFound(HttpExchange ex) throws IOException {
    try (ex) {
      byte[] body = ApiJson.write(new ApiModel.ErrorBody("no such endpoint", null));
      ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
      ex.sendResponseHeaders(404, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }
}
