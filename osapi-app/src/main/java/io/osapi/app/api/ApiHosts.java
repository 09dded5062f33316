package io.osapi.app.api;

import io.osapi.app.config.HostPort;
import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The host names the REST API answers for, against DNS rebinding and cross-site requests.
 *
 * <p>A {@code Host} header is accepted when its host is an IP address literal (a rebinding attack
 * needs a name the attacker controls, so it never sends a literal), {@code localhost}, the host of
 * {@code --api-addr}, or one of {@code --api-host-names}; the port is not compared. A request
 * without {@code Host} (HTTP/1.0 tools; browsers always send it) is accepted.
 *
 * <p>An {@code Origin} header (sent by browsers with cross-site and state-changing requests) is
 * accepted when it is the same origin as the request ({@code scheme://host:port} naming the same
 * host and port as {@code Host}), or its host is one of {@code --api-host-names} (a page served
 * through a reverse proxy under that name). {@code Origin: null} (sandboxed pages, files) is
 * foreign.
 */
final class ApiHosts {
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f:.]+(%[0-9a-z._-]+)?");

  private final Set<String> names = new HashSet<>();
  private final Set<String> configured = new HashSet<>();

  /**
   * @param bind the address the API listens on
   * @param configured the extra names of {@code --api-host-names}
   */
  ApiHosts(HostPort bind, List<String> configured) {
    names.add("localhost");
    names.add(normalise(bind.host()));
    for (String n : configured) {
      this.configured.add(normalise(n));
    }
    names.addAll(this.configured);
  }

  /** Whether a request with this {@code Host} header value (null when absent) is served. */
  boolean allowsHost(String hostHeader) {
    if (hostHeader == null) {
      return true;
    }
    String host = hostOf(hostHeader);
    return host != null && (isIpLiteral(host) || names.contains(host));
  }

  /**
   * Whether a state-changing request from a page of {@code origin} is served.
   *
   * @param origin the {@code Origin} header value
   * @param hostHeader the request's {@code Host} header value, or null
   */
  boolean allowsOrigin(String origin, String hostHeader) {
    URI uri;
    try {
      uri = new URI(origin.trim());
    } catch (java.net.URISyntaxException e) {
      return false;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
      return false;
    }
    String host = normalise(uri.getHost());
    if (configured.contains(host)) {
      return true;
    }
    if (hostHeader == null) {
      return false;
    }
    int port = uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
    String requestHost = hostOf(hostHeader);
    return host.equals(requestHost) && port == portOf(hostHeader, scheme.equals("https") ? 443 : 80);
  }

  /** The host of a {@code Host} value ({@code name:port}, {@code [v6]:port}), normalised. */
  static String hostOf(String hostHeader) {
    String h = hostHeader.trim();
    if (h.isEmpty()) {
      return null;
    }
    if (h.startsWith("[")) {
      int close = h.indexOf(']');
      return close < 0 ? null : normalise(h.substring(1, close));
    }
    int colon = h.indexOf(':');
    if (colon >= 0 && h.indexOf(':', colon + 1) < 0) {
      h = h.substring(0, colon);
    }
    return normalise(h);
  }

  private static int portOf(String hostHeader, int dflt) {
    String h = hostHeader.trim();
    int close = h.startsWith("[") ? h.indexOf(']') : -1;
    int colon = h.indexOf(':', Math.max(close, 0));
    if (colon < 0 || (close < 0 && h.indexOf(':', colon + 1) >= 0)) {
      return dflt;
    }
    try {
      return Integer.parseInt(h.substring(colon + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isIpLiteral(String host) {
    return IPV4.matcher(host).matches() || (host.contains(":") && IPV6.matcher(host).matches());
  }

  private static String normalise(String host) {
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    return h.endsWith(".") ? h.substring(0, h.length() - 1) : h;
  }
}
