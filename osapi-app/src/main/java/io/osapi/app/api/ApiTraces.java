package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import io.osapi.core.domain.TraceContext;

/**
 * The server span of a request, as the tracing filter hands it to the handler: kept on the
 * exchange (the request's own storage, gone with it), never on the thread. A create passes it on
 * as its job's parent.
 */
public final class ApiTraces {
  private static final String ATTRIBUTE = "io.osapi.app.api.trace";

  private ApiTraces() {}

  /** Keeps {@code context} as the server span of the request {@code ex}. */
  public static void attach(HttpExchange ex, TraceContext context) {
    ex.setAttribute(ATTRIBUTE, context);
  }

  /** The server span of the request, or null when it is not traced. */
  static TraceContext of(HttpExchange ex) {
    return ex.getAttribute(ATTRIBUTE) instanceof TraceContext c ? c : null;
  }
}
