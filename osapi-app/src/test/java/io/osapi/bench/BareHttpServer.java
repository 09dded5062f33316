package io.osapi.bench;

import com.sun.net.httpserver.HttpServer;
import io.osapi.app.http.HttpLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The floor under the REST API (scripts/bench-rest.sh): a bare JDK {@code HttpServer} with the
 * controller's limits and executor ({@link HttpLimits}) whose one handler reads the body and
 * answers a POST with 201 and nothing else, a GET with a constant {@code {"status":"up"}}. Run as
 * its own process so its CPU per request can be read like the controller's.
 *
 * <p>Argument: the loopback port. Prints {@code listening} once bound.
 */
public final class BareHttpServer {
  private static final byte[] UP = "{\"status\":\"up\"}".getBytes(StandardCharsets.UTF_8);

  private BareHttpServer() {}

  public static void main(String[] args) throws IOException {
    HttpServer s = server(Integer.parseInt(args[0]));
    s.createContext("/", ex -> {
      try (ex; InputStream in = ex.getRequestBody()) {
        in.readAllBytes();
        if (ex.getRequestMethod().equals("POST")) {
          ex.sendResponseHeaders(201, -1);
        } else {
          answer(ex, 200, UP);
        }
      }
    });
    s.start();
    System.out.println("listening");
  }

  /** Answers {@code ex} with {@code code} and the JSON {@code body}. */
  static void answer(com.sun.net.httpserver.HttpExchange ex, int code, byte[] body)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  /** A JDK server on loopback {@code port} with the controller's limits and executor. */
  static HttpServer server(int port) throws IOException {
    HttpLimits.apply();
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 128);
    s.setExecutor(HttpLimits.connectionPool("bare", 256));
    return s;
  }
}
