package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import io.osapi.core.domain.TraceContext;

/**
 * The server span of a request, as the tracing filter hands it to the handler: carried by the
 * request's own exchange (a wrapper the rest of the chain gets), never on the thread, and not in
 * the exchange's attributes: before JDK 26 those are the {@code HttpContext}'s, one map shared by
 * every request in flight on the context, so a request would read another's span. A create passes
 * it on as its job's parent.
 */
public final class ApiTraces {
  private ApiTraces() {}

  /**
   * The exchange the rest of the chain gets for request {@code ex}, whose server span is {@code
   * context}.
   */
  public static HttpExchange attach(HttpExchange ex, TraceContext context) {
    return new Traced(ex, java.util.Objects.requireNonNull(context, "context"));
  }

  /**
   * The server span of the request, or null when it is not traced: the span of the nearest {@link
   * #attach} under the wrappers of {@code ex}.
   */
  static TraceContext of(HttpExchange ex) {
    HttpExchange e = ex;
    while (e instanceof DelegatingExchange d) {
      if (d instanceof Traced t) {
        return t.context;
      }
      e = d.delegate;
    }
    return null;
  }

  /** A request's exchange with its server span. */
  private static final class Traced extends DelegatingExchange {
    private final TraceContext context;

    Traced(HttpExchange ex, TraceContext context) {
      super(ex);
      this.context = context;
    }
  }
}
