package io.osapi.app.api;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.app.auth.Caller;
import io.osapi.app.http.HttpLimits;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The checks every REST API request passes before {@link JobsApi} sees it, in this order:
 *
 * <ol>
 *   <li>{@code Host} must be one the API answers for ({@link ApiHosts}), else 421;
 *   <li>a state-changing request (not GET or HEAD) with a foreign {@code Origin} is refused with
 *       403;
 *   <li>the caller, from the bearer token when a credential is configured, else 401 ({@link
 *       EdgeAccess#authenticate});
 *   <li>a body declared larger than {@code --max-body-bytes} gets 413 and the connection is closed
 *       without reading it;
 *   <li>a POST to a job route must say {@code Content-Type: application/json}, else 415 (a browser
 *       page can POST {@code text/plain} or a form to any address without asking first; it cannot
 *       send JSON, a DELETE, or a bearer token to another site without a CORS preflight, which
 *       the API never grants);
 *   <li>the body is read (up to {@value #PREFIX_BYTES} bytes) before the request takes its turn, so
 *       a client that sends slowly holds no request slot; a body found larger than the cap gets
 *       413 and the connection is closed;
 *   <li>at most {@code --api-threads} requests are handled at once; a request waits up to {@value
 *       #TURN_WAIT_SECONDS} s for its turn, then gets 503 with {@code Retry-After: 1};
 *   <li>the permissions of the route ({@link ApiAccess}), else 403, and the pending audit record
 *       of a request that changes something, else 503 ({@link EdgeAccess#admit}).
 * </ol>
 *
 * <p>HEAD is answered as GET without a body (so the JDK server's warning about a content length
 * on a HEAD response never fires). Errors are JSON like every other API error.
 */
final class ApiGuard extends Filter {
  /** Body bytes read before a request takes its turn. */
  static final int PREFIX_BYTES = 64 * 1024;

  /** Longest wait for a turn before 503. */
  static final int TURN_WAIT_SECONDS = 10;

  private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

  private final ApiHosts hosts;
  private final EdgeAccess access;
  private final int maxBodyBytes;
  private final Semaphore turns;
  // exchanges answered with their body unread (HttpExchange attributes are shared by the whole
  // context in JDK 17, so they cannot carry this); same object identity along the filter chain
  private final Set<HttpExchange> toClose = ConcurrentHashMap.newKeySet();

  /**
   * @param hosts the names the API answers for
   * @param access the identity, permission and audit steps
   * @param maxBodyBytes the body cap
   * @param concurrent requests handled at once
   */
  ApiGuard(ApiHosts hosts, EdgeAccess access, int maxBodyBytes, int concurrent) {
    this.hosts = Objects.requireNonNull(hosts, "hosts");
    this.access = Objects.requireNonNull(access, "access");
    this.maxBodyBytes = maxBodyBytes;
    this.turns = new Semaphore(concurrent, true);
  }

  @Override
  public String description() {
    return "osapi request guard";
  }

  @Override
  public void doFilter(HttpExchange ex, Chain chain) throws IOException {
    long start = System.nanoTime();
    String method = ex.getRequestMethod();
    Headers h = ex.getRequestHeaders();
    String host = h.getFirst("Host");
    if (!hosts.allowsHost(host)) {
      refuse(ex, 421, "this API does not answer for host '" + printable(host)
          + "' (DNS rebinding?); add the name with --api-host-names", Map.of("field", "Host"),
          Map.of());
      return;
    }
    String origin = h.getFirst("Origin");
    if (!SAFE_METHODS.contains(method) && origin != null && !hosts.allowsOrigin(origin, host)) {
      refuse(ex, 403, "cross-site request refused: origin '" + printable(origin)
          + "' is not this API's", Map.of("field", "Origin"), Map.of());
      return;
    }
    Caller caller = access.authenticate(ex);
    if (caller == null) {
      return;
    }
    long declared = declaredLength(h);
    int cap = cap(ex.getRequestURI());
    if (declared > cap) {
      tooLarge(ex, cap);
      return;
    }
    if (method.equals("POST") && postRoute(ex.getRequestURI()) && !isJson(h.getFirst("Content-Type"))
        && !(batch(ex.getRequestURI()) && isNdjson(h.getFirst("Content-Type")))) {
      refuse(ex, 415, "the request body must be JSON: send Content-Type: application/json",
          Map.of("field", "Content-Type"), Map.of());
      return;
    }
    byte[] whole = null;
    if (declared != 0) {
      if (wholeBodyRoute(method, ex.getRequestURI())) {
        whole = readWhole(ex, cap);
        if (whole == null) {
          tooLarge(ex, cap);
          return;
        }
      } else if (!buffer(ex)) {
        tooLarge(ex, maxBodyBytes);
        return;
      }
    }
    boolean entered;
    try {
      entered = turns.tryAcquire(TURN_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      entered = false;
    }
    if (!entered) {
      refuse(ex, 503, "the API is busy, try again", Map.of(), Map.of("Retry-After", "1"));
      return;
    }
    try {
      HttpExchange admitted =
          access.admit(method.equals("HEAD") ? new HeadAsGet(ex) : ex, caller, whole, start);
      if (admitted != null) {
        chain.doFilter(admitted);
      }
    } finally {
      turns.release();
    }
  }

  /** -1 for no {@code Content-Length} (chunked or none), else its value. */
  private static long declaredLength(Headers h) {
    if (h.containsKey("Transfer-Encoding")) {
      return -1;
    }
    String v = h.getFirst("Content-Length");
    if (v == null) {
      return 0;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1; // the JDK server refuses these before any filter runs
    }
  }

  private static boolean postRoute(URI uri) {
    return ApiRoute.match(uri.getRawPath()).map(m -> m.route().methods().contains("POST"))
        .orElse(false);
  }

  /** Whether a {@code Content-Type} value is {@code application/json} (parameters allowed). */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return type.toLowerCase(Locale.ROOT).equals("application/json");
  }

  /** Whether a {@code Content-Type} value is {@code application/x-ndjson} (for a batch). */
  static boolean isNdjson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
    return type.toLowerCase(Locale.ROOT).equals("application/x-ndjson");
  }

  private static boolean batch(URI uri) {
    return ApiRoute.match(uri.getRawPath()).map(m -> m.route() == ApiRoute.BATCH).orElse(false);
  }

  /** The body cap of a request: a batch's own ({@link BatchApi#MAX_BYTES}), else the option's. */
  private int cap(URI uri) {
    return batch(uri) ? Math.max(maxBodyBytes, BatchApi.MAX_BYTES) : maxBodyBytes;
  }

  /**
   * Whether the edge reads the whole body (a create or retry: its permission depends on it; a
   * batch: read before its turn like any body, whole because it is bounded).
   */
  private static boolean wholeBodyRoute(String method, URI uri) {
    return method.equals("POST") && ApiRoute.match(uri.getRawPath())
        .map(m -> m.route() == ApiRoute.JOBS || m.route() == ApiRoute.RETRY
            || m.route() == ApiRoute.BATCH).orElse(false);
  }

  /**
   * Reads the whole body (up to the cap) and hands the handler a stream of it.
   *
   * @return the body, or null when it is larger than the cap (its rest unread)
   */
  private byte[] readWhole(HttpExchange ex, int cap) throws IOException {
    byte[] body = ex.getRequestBody().readNBytes(cap + 1);
    if (body.length > cap) {
      return null;
    }
    ex.setStreams(new ByteArrayInputStream(body), null);
    return body;
  }

  /**
   * Reads up to {@value #PREFIX_BYTES} bytes of the body now and hands the handler a stream that
   * starts with them.
   *
   * @return false when the body turned out larger than the cap (its rest unread)
   */
  private boolean buffer(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    int limit = Math.min(maxBodyBytes, PREFIX_BYTES);
    byte[] prefix = in.readNBytes(limit + 1);
    if (prefix.length <= limit) {
      ex.setStreams(new ByteArrayInputStream(prefix), null);
      return true;
    }
    if (limit >= maxBodyBytes) {
      return false;
    }
    ex.setStreams(new SequenceInputStream(new ByteArrayInputStream(prefix), in), null);
    return true;
  }

  /**
   * 413 for a body not read (or not all read): the answer goes out now, and the outermost filter
   * of the server ({@link #closeRefused}) closes the connection once the rest of the chain (the
   * HTTP server metrics) has seen the answer.
   */
  private void tooLarge(HttpExchange ex, int cap) throws IOException {
    send(ex, 413, "the request body is larger than " + cap + " bytes",
        Map.of("max_body_bytes", cap), Map.of("Connection", "close"));
    toClose.add(ex);
  }

  /**
   * The outermost filter of the API server: closes the connection of an exchange the guard
   * refused with its body unread ({@link HttpLimits#closeConnection}); other exchanges pass.
   */
  Filter closeRefused() {
    return new Filter() {
      @Override
      public void doFilter(HttpExchange ex, Chain chain) throws IOException {
        boolean close;
        try {
          chain.doFilter(ex);
        } finally {
          close = toClose.remove(ex);
        }
        if (close) {
          throw HttpLimits.closeConnection(ex);
        }
      }

      @Override
      public String description() {
        return "closes connections with a refused body";
      }
    };
  }

  static void refuse(HttpExchange ex, int status, String message,
      Map<String, Object> details, Map<String, String> headers) throws IOException {
    try (ex) {
      send(ex, status, message, details, headers);
    }
  }

  private static void send(HttpExchange ex, int status, String message,
      Map<String, Object> details, Map<String, String> headers) throws IOException {
    ApiAnswers.error(ex, status, message, details, headers);
  }

  /** A header value as it may go into an error message: short, printable ASCII only. */
  private static String printable(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length() && b.length() < 80; i++) {
      char c = s.charAt(i);
      b.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return b.toString();
  }
}
