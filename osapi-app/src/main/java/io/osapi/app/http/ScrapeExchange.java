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

/**
 * One {@code /metrics} exchange of the JDK server as client_java's {@link PrometheusHttpExchange},
 * for its {@code PrometheusScrapeHandler}. It differs from client_java's own adapter in three
 * ways: a HEAD is answered with headers only, whatever the handler writes; a failed scrape is a
 * short {@code text/plain} 500 ("metrics collection failed: <exception class>"), never a stack
 * trace; and {@code Accept-Encoding} is handed over as {@code gzip} only when it accepts gzip with
 * a quality above 0 (the handler looks for the bare token and ignores q-values). Closing it does
 * not close the exchange: {@link MetricsHttpServer} does.
 */
final class ScrapeExchange implements PrometheusHttpExchange {
  private static final System.Logger LOG = System.getLogger(ScrapeExchange.class.getName());
  private static final String ACCEPT_ENCODING = "Accept-Encoding";

  private final HttpExchange exchange;
  private final boolean head;
  private boolean sent;

  ScrapeExchange(HttpExchange exchange) {
    this.exchange = exchange;
    this.head = "HEAD".equals(exchange.getRequestMethod());
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
          boolean gzip = acceptsGzip(exchange.getRequestHeaders().getFirst(ACCEPT_ENCODING));
          return gzip ? Collections.enumeration(List.of("gzip")) : Collections.emptyEnumeration();
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
        if (head) {
          exchange.sendResponseHeaders(statusCode, -1);
          return OutputStream.nullOutputStream();
        }
        exchange.sendResponseHeaders(statusCode, contentLength);
        // the handler's gzip stream writes in 512-byte pieces: hand them to the JDK in big ones
        return new BufferedOutputStream(exchange.getResponseBody(), 64 * 1024);
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
