package io.osapi.app.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.HostPort;
import io.osapi.app.config.Secret;
import io.osapi.app.http.HttpLimits;
import io.osapi.app.runtime.Managed;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The controller's HTTP server for the REST API: {@code /api/v1/...} goes to {@link JobsApi}
 * through the given filters (the HTTP server metrics) and the {@link ApiGuard}; {@code /ui} serves
 * the web console's static files ({@link ConsoleFiles}); anything else is a JSON 404.
 *
 * <p>Slow clients cannot freeze it ({@link HttpLimits}): every exchange has its own thread, up to
 * {@link #connectionThreads} at once (past that the JDK server closes new connections), the JDK's
 * time limits close a connection that stalls, and the guard lets at most {@code --api-threads}
 * requests into the handler at once, each with its body already read.
 */
public final class ApiServer implements Managed, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ApiServer.class.getName());

  private final HostPort address;
  private final JobsApi api;
  private final List<Filter> filters;
  private final ApiGuard guard;
  private final int connections;
  private final Optional<Secret> token;
  private final ConsoleFiles console;
  private HttpServer server;
  private ThreadPoolExecutor executor;

  /**
   * @param settings address, token, body cap, concurrency and host names
   * @param api the request handler
   * @param filters filters every request passes through, outermost first
   * @param access the caller, permission and audit steps of every request
   */
  public ApiServer(ApiSettings settings, JobsApi api, List<Filter> filters, EdgeAccess access) {
    this.address = settings.address();
    this.api = Objects.requireNonNull(api, "api");
    this.filters = List.copyOf(filters);
    this.token = settings.token();
    this.guard = new ApiGuard(new ApiHosts(settings.address(), settings.hostNames()),
        access, settings.maxBodyBytes(), settings.threads());
    this.connections = connectionThreads(settings.threads());
    this.console = new ConsoleFiles(new ApiHosts(settings.address(), settings.hostNames()));
  }

  /**
   * Exchanges in progress at once (reading, waiting for a turn, answering), each on its own
   * thread: 16 per request handled at once, at least 256.
   */
  public static int connectionThreads(int threads) {
    return Math.max(256, 16 * threads);
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
    executor = HttpLimits.connectionPool("osapi-api", connections);
    HttpServer s;
    try {
      s = HttpServer.create(address.socketAddress(), 128);
    } catch (BindException e) {
      executor.shutdown();
      throw new ConfigException("--api-addr", "cannot listen on " + address + ": " + e.getMessage());
    }
    s.setExecutor(executor);
    HttpContext ctx = s.createContext(ApiRoute.BASE + "/", api);
    ctx.getFilters().add(guard.closeRefused());
    ctx.getFilters().addAll(filters);
    ctx.getFilters().add(guard);
    // the console's files are public (they hold no data; every figure comes from /api/v1)
    s.createContext(ConsoleFiles.PATH, console).getFilters().addAll(filters);
    HttpContext root = s.createContext("/", ApiServer::notFound);
    root.getFilters().add(guard.closeRefused());
    root.getFilters().addAll(filters);
    root.getFilters().add(guard);
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

  /**
   * Stops accepting requests and lets running ones finish until {@code deadline} at the latest
   * (a deadline already past closes them at once).
   */
  @Override
  public void stop(Instant deadline) {
    Duration left = Duration.between(Instant.now(), deadline);
    stop(left.isNegative() ? Duration.ZERO : left);
  }

  @Override
  public List<String> describe() {
    String auth = token.map(t -> " -H \"Authorization: Bearer $(cat "
        + t.file().map(Object::toString).orElse("TOKEN_FILE") + ")\"").orElse("");
    return List.of(
        "API:      " + baseUri(),
        "console:  http://" + address.urlHost() + ":" + boundAddress().getPort()
            + ConsoleFiles.PATH + "/",
        "try:      curl -s -X POST " + baseUri() + "/jobs -H 'Content-Type: application/json'"
            + auth + " -d '{\"operation\":{\"type\":\"system.hostname.get\"}}'");
  }

  /**
   * Stops accepting requests, lets running ones finish for up to {@code grace} (the JDK server's
   * own wait counts in whole seconds, rounded down; the handler threads get the rest), then closes
   * them. With no request running it closes at once: the JDK 17 server's {@code stop(delay)} only
   * ends early when an exchange finishes, so an idle server would wait the whole delay
   * (JDK-8304065). Idempotent.
   */
  public void stop(Duration grace) {
    long end = System.nanoTime() + grace.toNanos();
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
    boolean running = e.getActiveCount() > 0;
    s.stop(running ? (int) Math.max(0, Math.min(Integer.MAX_VALUE, grace.toSeconds())) : 0);
    e.shutdown();
    try {
      if (!e.awaitTermination(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS)) {
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
      ApiAnswers.error(ex, 404, "no such endpoint", java.util.Map.of(), java.util.Map.of());
    }
  }
}
