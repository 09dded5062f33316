package io.osapi.app.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * An address to listen on: a host name or IP literal and a port (0 picks a free one).
 *
 * @param host the host name or IP address (IPv6 without brackets)
 * @param port 0 to 65535
 */
public record HostPort(String host, int port) {
  /** Checks the port range and that the host is not empty. */
  public HostPort {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host must not be empty");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535");
    }
  }

  /**
   * Parses {@code HOST:PORT}, {@code [IPv6]:PORT} or {@code :PORT} (all interfaces).
   *
   * @param option the option the text came from, for the error message
   * @throws ConfigException naming {@code option} when the text is not an address
   */
  public static HostPort parse(String option, String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException(option, "expected HOST:PORT, got nothing");
    }
    String t = text.trim();
    String host;
    String port;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
        throw new ConfigException(option, "expected [IPv6]:PORT, got '" + text + "'");
      }
      host = t.substring(1, close);
      port = t.substring(close + 2);
    } else {
      int colon = t.lastIndexOf(':');
      if (colon < 0 || t.indexOf(':') != colon) {
        throw new ConfigException(
            option, "expected HOST:PORT (like 127.0.0.1:8080), got '" + text + "'");
      }
      host = colon == 0 ? "0.0.0.0" : t.substring(0, colon);
      port = t.substring(colon + 1);
    }
    if (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == '/' || c > 126)) {
      throw new ConfigException(option, "'" + host + "' is not a host name or IP address");
    }
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new ConfigException(option, "port '" + port + "' is not a number");
    }
    if (p < 0 || p > 65535) {
      throw new ConfigException(option, "port " + p + " is not between 0 and 65535");
    }
    return new HostPort(host, p);
  }

  /**
   * Parses a listen address and resolves its host now, so that a name that does not resolve is
   * refused at start naming the option, not later by the server.
   *
   * @throws ConfigException naming {@code option} when the text is not an address or its host
   *     cannot be resolved
   */
  public static HostPort parseListen(String option, String text) {
    HostPort hp = parse(option, text);
    if (new InetSocketAddress(hp.host(), hp.port()).isUnresolved()) {
      throw new ConfigException(option, "host '" + hp.host() + "' cannot be resolved to an"
          + " address (a typo? use an IP address like 127.0.0.1, or a name this host resolves)");
    }
    return hp;
  }

  /** An unresolved-free socket address for binding (resolves the host name now). */
  public InetSocketAddress socketAddress() {
    return new InetSocketAddress(host, port);
  }

  /** The host as it goes into a URL: IPv6 literals in brackets. */
  public String urlHost() {
    return host.contains(":") ? "[" + host + "]" : host;
  }

  @Override
  public String toString() {
    return urlHost() + ":" + port;
  }
}
