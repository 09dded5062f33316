package io.osapi.app.http;

import java.util.Arrays;

/**
 * What the exchange threads of an in-process HTTP server are doing, for tests that must wait until
 * connections are really held by the server (and not merely sent by the client) before they
 * measure anything.
 */
public final class ExchangeThreads {
  private ExchangeThreads() {}

  /**
   * Live threads of the pool {@code pool} (as named by {@link HttpLimits#connectionPool}) that are
   * inside an exchange: reading a request, running its handler or writing its response. Idle pool
   * threads (waiting for the next connection) are not counted.
   */
  public static long busy(String pool) {
    return Thread.getAllStackTraces().entrySet().stream()
        .filter(e -> e.getKey().getName().startsWith(pool + "-"))
        .filter(e -> Arrays.stream(e.getValue()).anyMatch(
            f -> f.getClassName().startsWith("sun.net.httpserver.ServerImpl$Exchange")))
        .count();
  }
}
