package io.osapi.app.http;

import com.sun.net.httpserver.HttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpExchange;
import io.prometheus.metrics.exporter.common.PrometheusHttpRequest;
import io.prometheus.metrics.exporter.common.PrometheusHttpResponse;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * One {@code /metrics} exchange of the JDK server as client_java's {@link PrometheusHttpExchange},
 * for its {@code PrometheusScrapeHandler}. It differs from client_java's own adapter in three
 * ways: a HEAD is answered with headers only, whatever the handler writes; a failed scrape is a
 * short {@code text/plain} 500 ("metrics collection failed: <exception class>"), never a stack
 * trace; and gzip is done here, at the fastest level, when {@code Accept-Encoding} accepts it with
 * a quality above 0 (the handler looks for the bare token, ignores q-values and compresses at the
 * JDK's default level, about twice the CPU for a 10,000-series scrape). Closing it does not close
 * the exchange: {@link MetricsHttpServer} does.
 */
final class ScrapeExchange implements PrometheusHttpExchange {
  private static final System.Logger LOG = System.getLogger(ScrapeExchange.class.getName());
  private static final String ACCEPT_ENCODING = "Accept-Encoding";

  private final HttpExchange exchange;
  private final boolean head;
  /** The client accepts gzip: compressed here, at the fastest level (the handler's is fixed). */
  private final boolean gzip;
  private boolean sent;

  ScrapeExchange(HttpExchange exchange) {
    this.exchange = exchange;
    this.head = "HEAD".equals(exchange.getRequestMethod());
    this.gzip = acceptsGzip(exchange.getRequestHeaders().getFirst(ACCEPT_ENCODING));
  }

  @Override
  public PrometheusHttpRequest getRequest() {
    return new PrometheusHttpRequest() {
      @Override
      public String getQueryString() {
        return exchange.getRequestURI().getRawQuery();
      }

      @Override
      public Enumeration<String> getHeaders(String name) {
        if (ACCEPT_ENCODING.equalsIgnoreCase(name)) {
          return Collections.emptyEnumeration(); // gzip is ours: see sendHeadersAndGetBody
        }
        List<String> values = exchange.getRequestHeaders().get(name);
        return values == null ? Collections.emptyEnumeration() : Collections.enumeration(values);
      }

      @Override
      public String getMethod() {
        return exchange.getRequestMethod();
      }

      @Override
      public String getRequestPath() {
        return exchange.getRequestURI().getRawPath();
      }
    };
  }

  @Override
  public PrometheusHttpResponse getResponse() {
    return new PrometheusHttpResponse() {
      @Override
      public void setHeader(String name, String value) {
        if (!"Content-Length".equalsIgnoreCase(name)) { // the JDK server sets it
          exchange.getResponseHeaders().set(name, value);
        }
      }

      @Override
      public OutputStream sendHeadersAndGetBody(int statusCode, int contentLength)
          throws IOException {
        if (sent) {
          throw new IOException("response already sent");
        }
        sent = true;
        exchange.getResponseHeaders().set("Vary", "Accept, Accept-Encoding");
        if (gzip) {
          exchange.getResponseHeaders().set("Content-Encoding", "gzip");
        }
        if (head) {
          exchange.sendResponseHeaders(statusCode, -1);
          return OutputStream.nullOutputStream();
        }
        if (!gzip) {
          exchange.sendResponseHeaders(statusCode, contentLength);
          return new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024);
        }
        // client_java 1.8 gzips at the JDK's default level (about twice the CPU of the fastest
        // for a 10,000-series scrape); the handler closes the stream, which ends the gzip member
        exchange.sendResponseHeaders(statusCode, 0);
        return new GZIPOutputStream(
            new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024), 64 * 1024) {
          {
            def.setLevel(Deflater.BEST_SPEED);
          }
        };
      }
    };
  }

  @Override
  public void handleException(IOException e) throws IOException {
    fail(e);
  }

  @Override
  public void handleException(RuntimeException e) {
    try {
      fail(e);
    } catch (IOException ignored) {
      // the client is gone
    }
  }

  private void fail(Exception e) throws IOException {
    if (sent) {
      LOG.log(System.Logger.Level.WARNING, "metrics response failed after its headers", e);
      return;
    }
    sent = true;
    LOG.log(System.Logger.Level.DEBUG, "metrics scrape failed", e);
    byte[] body =
        ("metrics collection failed: " + e.getClass().getSimpleName() + "\n")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().remove("Content-Encoding");
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    if (head) {
      exchange.sendResponseHeaders(500, -1);
      return;
    }
    exchange.sendResponseHeaders(500, body.length);
    exchange.getResponseBody().write(body);
  }

  @Override
  public void close() {
    // MetricsHttpServer closes the exchange
  }

  /** Whether an {@code Accept-Encoding} header allows gzip (token {@code gzip}, q above 0). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String coding : acceptEncoding.split(",")) {
      String[] parts = coding.split(";");
      if (!parts[0].trim().toLowerCase(Locale.ROOT).equals("gzip")) {
        continue;
      }
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("q=")) {
          try {
            return Double.parseDouble(p.substring(2).trim()) > 0;
          } catch (NumberFormatException e) {
            return false;
          }
        }
      }
      return true;
    }
    return false;
  }
}
