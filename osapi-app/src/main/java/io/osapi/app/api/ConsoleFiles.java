package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The web console's static files at {@code /ui/} on the API's port: plain HTML, CSS and
 * JavaScript from the jar (next to this class, {@code console/}), no build step, nothing fetched
 * from elsewhere.
 *
 * <p>The files hold no data, so this route is public; every figure the console shows comes from
 * {@code /api/v1} with the bearer token the user enters (kept in the tab's {@code
 * sessionStorage}, never in a cookie or URL), so what it may see and do is the API's permission
 * table. Every answer carries a strict {@link #CSP Content-Security-Policy} (scripts and styles
 * only from these files, nothing inline, no frames, no form posts), {@code nosniff}, no referrer.
 * A {@code Host} the API does not answer for gets 421 (DNS rebinding), as at the API. Only the
 * files of {@link #FILES} are served: no directory listing, no path from the request reaches the
 * class loader.
 */
final class ConsoleFiles implements HttpHandler {
  /** Where the console is served. */
  static final String PATH = "/ui";

  /** The policy of every answer: nothing inline, nothing from elsewhere. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none';"
      + " frame-ancestors 'none'";

  /** The files served, by name under {@code /ui/}. */
  static final List<String> FILES = List.of("index.html", "console.css", "console.js",
      "pages.js", "submit.js", "js-yaml.min.js", "js-yaml.LICENSE.txt", "favicon.svg");

  private final ApiHosts hosts;
  private final Map<String, byte[]> files;

  ConsoleFiles(ApiHosts hosts) {
    this.hosts = Objects.requireNonNull(hosts, "hosts");
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (String f : FILES) {
      m.put(f, read(f));
    }
    this.files = Map.copyOf(m);
  }

  private static byte[] read(String name) {
    try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + name)) {
      if (in == null) {
        throw new IllegalStateException("console file " + name + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read console file " + name, e);
    }
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getResponseHeaders().set("Content-Security-Policy", CSP);
      ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      ex.getResponseHeaders().set("X-Frame-Options", "DENY");
      ex.getResponseHeaders().set("Referrer-Policy", "no-referrer");
      ex.getResponseHeaders().set("Cross-Origin-Opener-Policy", "same-origin");
      ex.getResponseHeaders().set("Cache-Control", "no-cache");
      String method = ex.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!method.equals("GET") && !head) {
        ex.getResponseHeaders().set("Allow", "GET, HEAD");
        text(ex, 405, "method not allowed: the console is read with GET", false);
        return;
      }
      if (!hosts.allowsHost(ex.getRequestHeaders().getFirst("Host"))) {
        text(ex, 421, "this server does not answer for that host name (DNS rebinding?);"
            + " add the name with --api-host-names", head);
        return;
      }
      String path = ex.getRequestURI().getRawPath();
      if (path.equals(PATH)) {
        ex.getResponseHeaders().set("Location", PATH + "/");
        ex.sendResponseHeaders(301, -1);
        return;
      }
      String name = path.equals(PATH + "/") ? "index.html"
          : path.startsWith(PATH + "/") ? path.substring(PATH.length() + 1) : "";
      byte[] body = files.get(name);
      if (body == null) {
        text(ex, 404, "no such console file", head);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", type(name));
      send(ex, 200, body, head);
    }
  }

  private static String type(String name) {
    if (name.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (name.endsWith(".css")) {
      return "text/css; charset=utf-8";
    }
    if (name.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    if (name.endsWith(".svg")) {
      return "image/svg+xml";
    }
    return "text/plain; charset=utf-8";
  }

  private static void text(HttpExchange ex, int status, String message, boolean head)
      throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    send(ex, status, (message + "\n").getBytes(StandardCharsets.UTF_8), head);
  }

  private static void send(HttpExchange ex, int status, byte[] body, boolean head)
      throws IOException {
    if (head) {
      ex.sendResponseHeaders(status, -1);
      return;
    }
    ex.sendResponseHeaders(status, body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }
}
