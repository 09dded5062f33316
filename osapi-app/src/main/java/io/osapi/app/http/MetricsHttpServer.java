package io.osapi.app.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.exporter.common.PrometheusScrapeHandler;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The operations HTTP endpoint of a process, on the JDK's {@link HttpServer}:
 *
 * <ul>
 *   <li>{@code /metrics}: the Prometheus exposition of a client_java {@link PrometheusRegistry},
 *       rendered by client_java's {@link PrometheusScrapeHandler}: Prometheus protobuf, OpenMetrics
 *       text 1.0.0 or text 0.0.4 as the {@code Accept} header asks, gzip-compressed when {@code
 *       Accept-Encoding} allows gzip, only the families named by {@code name[]=} query parameters
 *       when there are any. A scrape that fails is answered with 500 and a short {@code text/plain}
 *       message ({@link ScrapeExchange}), never an empty reply.
 *   <li>{@code /health}: liveness, always 200 {@code {"status":"up"}}.
 *   <li>{@code /health/ready}: 200 {@code {"status":"up"}} when the readiness supplier says ready,
 *       else 503 {@code {"status":"down","reasons":{...}}}.
 * </ul>
 *
 * <p>Paths match exactly (a query string is ignored): anything else is 404. Only GET and HEAD are
 * allowed: other methods get 405 with {@code Allow: GET, HEAD} (so a POST is refused with 405,
 * whatever its body). A GET or HEAD that carries a body ({@code Content-Length} above 0 or a {@code
 * Transfer-Encoding}) gets 413 and the connection is closed.
 *
 * <p>Slow clients cannot freeze it ({@link HttpLimits}): every exchange has its own thread, up to
 * {@link Builder#connections} at once (default 128; past that the JDK server closes the new
 * connection), and the JDK's time limits close a connection that stalls. Scrapes run at most
 * {@link Builder#threads} at once (default 2); a request waits up to 5 s for its turn, then gets
 * 503. {@code /health} and {@code /health/ready} never wait for a scrape. A refused body is read
 * and discarded up to 4 MiB, so the connection can serve the next request; a larger one (or one
 * that is not all there) is answered with {@code Connection: close} and the connection closed
 * without reading it. {@link #close()} stops the server and the pool. The JDK's limits ({@link
 * HttpLimits#apply()}) are set once at process start, by {@code Main}.
 */
public final class MetricsHttpServer implements AutoCloseable {

  /** The default bind address: loopback only. */
  public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";

  /** The default port (the controller's; workers use 9091). */
  public static final int DEFAULT_PORT = 9090;

  private static final System.Logger LOG = System.getLogger(MetricsHttpServer.class.getName());
  private static final String JSON = "application/json";
  private static final String TEXT = "text/plain; charset=utf-8";
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final byte[] UP = "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8);

  private final HttpServer server;
  private final ThreadPoolExecutor executor;
  private final Semaphore scrapes;
  private final PrometheusScrapeHandler scrapeHandler;
  private final Supplier<Readiness> readiness;
  private final AtomicBoolean closed = new AtomicBoolean();

  private MetricsHttpServer(Builder b) throws IOException {
    // built from defaults, not from io.prometheus.* system properties or prometheus.properties
    this.scrapeHandler =
        new PrometheusScrapeHandler(PrometheusProperties.builder().build(), b.registry);
    this.readiness = b.readiness;
    this.scrapes = new Semaphore(b.threads, true);
    this.executor = HttpLimits.connectionPool("osapi-metrics-http", b.connections);
    HttpServer s = HttpServer.create(new InetSocketAddress(b.bindAddress, b.port), b.backlog);
    s.createContext("/", this::handle);
    s.setExecutor(executor);
    s.start();
    this.server = s;
  }

  /**
   * A builder for a server that serves {@code registry} at {@code /metrics}.
   *
   * @param registry what {@code /metrics} renders (the metrics backend's)
   */
  public static Builder builder(PrometheusRegistry registry) {
    return new Builder(registry);
  }

  /** The address the server listens on (with the actual port when 0 was asked). */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops accepting, ends the exchanges in progress and stops the pool. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    server.stop(0);
    executor.shutdown();
    try {
      if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private enum Endpoint {
    METRICS,
    HEALTH,
    READY
  }

  private void handle(HttpExchange exchange) throws IOException {
    boolean closeConnection = false;
    try {
      Endpoint endpoint =
          switch (exchange.getRequestURI().getRawPath()) {
            case "/metrics" -> Endpoint.METRICS;
            case "/health" -> Endpoint.HEALTH;
            case "/health/ready" -> Endpoint.READY;
            default -> null;
          };
      String method = exchange.getRequestMethod();
      boolean head = "HEAD".equals(method);
      if (hasBody(exchange) && !drained(exchange)) {
        // a body larger than we are willing to read: answer and close the connection unread
        exchange.getResponseHeaders().set("Connection", "close");
        closeConnection = true;
      }
      if (endpoint == null) {
        send(exchange, head, 404, TEXT, bytes("not found\n"));
      } else if (!head && !"GET".equals(method)) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        send(exchange, false, 405, TEXT, bytes("method not allowed: use GET or HEAD\n"));
      } else if (hasBody(exchange)) {
        exchange.getResponseHeaders().set("Connection", "close");
        send(exchange, head, 413, TEXT, bytes("a request body is not accepted here\n"));
      } else {
        switch (endpoint) {
          case METRICS -> gatedMetrics(exchange, head);
          case HEALTH -> send(exchange, head, 200, JSON, UP);
          case READY -> ready(exchange, head);
        }
      }
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
        exchange.close();
        throw (VirtualMachineError) t;
      }
      LOG.log(System.Logger.Level.WARNING, "operations HTTP request failed", t);
      if (exchange.getResponseCode() == -1) {
        try {
          send(exchange, false, 500, TEXT, bytes("internal error\n"));
        } catch (IOException | RuntimeException ignored) {
          // the client is gone
        }
      }
    }
    if (closeConnection) {
      throw HttpLimits.closeConnection(exchange);
    }
    exchange.close();
  }

  /** Longest wait for a scrape's turn before 503. */
  private static final long SCRAPE_WAIT_MILLIS = 5000;

  private void gatedMetrics(HttpExchange exchange, boolean head) throws IOException {
    boolean entered;
    try {
      entered = scrapes.tryAcquire(SCRAPE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      entered = false;
    }
    if (!entered) {
      exchange.getResponseHeaders().set("Retry-After", "1");
      send(exchange, head, 503, TEXT, bytes("busy: too many scrapes at once, try again\n"));
      return;
    }
    try {
      metrics(exchange);
    } finally {
      scrapes.release();
    }
  }

  private void metrics(HttpExchange exchange) throws IOException {
    scrapeHandler.handleRequest(new ScrapeExchange(exchange));
  }

  private void ready(HttpExchange exchange, boolean head) throws IOException {
    Readiness r;
    try {
      r = readiness.get();
      if (r == null) {
        r = Readiness.down(Map.of("readiness", "no readiness reported"));
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "readiness check threw", e);
      r = Readiness.down(Map.of("readiness", "readiness check failed"));
    }
    if (r.ready()) {
      send(exchange, head, 200, JSON, UP);
      return;
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", "down");
    body.put("reasons", r.reasons());
    send(exchange, head, 503, JSON, MAPPER.writeValueAsBytes(body));
  }

  private static void send(
      HttpExchange exchange, boolean head, int status, String contentType, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().set("Content-Type", contentType);
    if (head) {
      exchange.sendResponseHeaders(status, -1);
      return;
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      // not closed here: closing the response reads what is left of the request body first,
      // which must not happen when the connection is to be closed unread
      OutputStream out = exchange.getResponseBody();
      out.write(body);
      out.flush();
    }
  }

  /** Largest refused request body read and discarded so the connection can be kept. */
  private static final int MAX_DRAIN = 4 * 1024 * 1024;

  /**
   * Reads and discards a refused request's body, at most {@link #MAX_DRAIN} bytes, so the client
   * (still sending it) gets the answer instead of a reset. A declared length over the limit is not
   * read at all. A client that stalls is cut off by the JDK's request time limit ({@link
   * HttpLimits#MAX_REQUEST_SECONDS}).
   *
   * @return true when the whole body was read
   */
  private static boolean drained(HttpExchange exchange) {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null) {
      try {
        if (Long.parseLong(length.trim()) > MAX_DRAIN) {
          return false;
        }
      } catch (NumberFormatException e) {
        return false;
      }
    }
    byte[] buf = new byte[16 * 1024];
    long total = 0;
    try {
      java.io.InputStream in = exchange.getRequestBody();
      int n;
      while ((n = in.read(buf)) >= 0) {
        total += n;
        if (total > MAX_DRAIN) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static boolean hasBody(HttpExchange exchange) {
    if (exchange.getRequestHeaders().containsKey("Transfer-Encoding")) {
      return true;
    }
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length == null) {
      return false;
    }
    try {
      return Long.parseLong(length.trim()) != 0;
    } catch (NumberFormatException e) {
      return true;
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Builds and starts a {@link MetricsHttpServer}. */
  public static final class Builder {
    private final PrometheusRegistry registry;
    private String bindAddress = DEFAULT_BIND_ADDRESS;
    private int port = DEFAULT_PORT;
    private Supplier<Readiness> readiness = Readiness::up;
    private int threads = 2;
    private int connections = 128;
    private int backlog = 32;

    private Builder(PrometheusRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    /** The address to bind (default {@value MetricsHttpServer#DEFAULT_BIND_ADDRESS}). */
    public Builder bindAddress(String bindAddress) {
      this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
      return this;
    }

    /** The port (default {@value MetricsHttpServer#DEFAULT_PORT}; 0 picks a free one). */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
      this.port = port;
      return this;
    }

    /** What {@code /health/ready} reports (default: always ready). */
    public Builder readiness(Supplier<Readiness> readiness) {
      this.readiness = Objects.requireNonNull(readiness, "readiness");
      return this;
    }

    /** Scrapes rendered at the same time (default 2). */
    public Builder threads(int threads) {
      if (threads < 1 || threads > 16) {
        throw new IllegalArgumentException("threads must be 1 to 16: " + threads);
      }
      this.threads = threads;
      return this;
    }

    /**
     * Exchanges in progress at once, each on its own thread (default 128): requests being read,
     * waiting for a scrape's turn or being answered. Past that, new connections are closed.
     */
    public Builder connections(int connections) {
      if (connections < 2 || connections > 1024) {
        throw new IllegalArgumentException("connections must be 2 to 1024: " + connections);
      }
      this.connections = connections;
      return this;
    }

    /**
     * Binds and starts the server.
     *
     * @throws IOException if the address cannot be bound
     */
    public MetricsHttpServer start() throws IOException {
      return new MetricsHttpServer(this);
    }
  }
}
