package io.osapi.adapter.otel.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.osapi.adapter.otel.propagation.W3cContexts;
import io.osapi.core.domain.TraceContext;
import io.opentelemetry.context.Scope;
import io.opentelemetry.instrumentation.api.incubator.semconv.http.HttpServerExperimentalMetrics;
import io.opentelemetry.instrumentation.api.instrumenter.Instrumenter;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerAttributesExtractor;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerMetrics;
import io.opentelemetry.instrumentation.api.semconv.http.HttpSpanNameExtractor;
import java.io.IOException;
import java.util.Objects;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * A JDK HTTP server {@link Filter} that records the semconv HTTP server metrics of every request
 * through the OpenTelemetry instrumentation API: {@code http.server.request.duration} (exposed as
 * {@code http_server_request_duration_seconds}, from {@link HttpServerMetrics}) and {@code
 * http.server.active_requests} (exposed as {@code http_server_active_requests}, from {@link
 * HttpServerExperimentalMetrics}: the stable {@code HttpServerMetrics} of instrumentation-api 2.20.1
 * has no active-requests instrument). The names, units, buckets and attributes are the library's.
 *
 * <p>The {@code http.route} attribute comes from {@code routeTemplate} (e.g. {@link
 * RouteTemplates}), applied to the request path; a path it does not know (null result) gets
 * {@value #UNMATCHED_ROUTE}, so callers cannot mint series with their URLs. On the active-requests
 * instrument the library advises only method and scheme; {@code OtelMetricsBackend} adds the route
 * with a view.
 *
 * <p>Add it to the contexts of the REST API server: {@code context.getFilters().add(filter)}.
 */
public final class HttpServerMetricsFilter extends Filter {

  /** The {@code http.route} of a path no route template matches. */
  public static final String UNMATCHED_ROUTE = "unmatched";

  /** The instrumentation scope name of the recorded metrics. */
  public static final String INSTRUMENTATION_NAME = "io.osapi.app.http";

  private final Instrumenter<HttpExchange, HttpExchange> instrumenter;
  private final BiFunction<HttpExchange, TraceContext, HttpExchange> onSpan;

  /** Reads an incoming W3C context from the request headers (a no-op without tracing). */
  private static final TextMapGetter<HttpExchange> HEADERS = new TextMapGetter<>() {
    @Override
    public Iterable<String> keys(HttpExchange ex) {
      return ex.getRequestHeaders().keySet();
    }

    @Override
    public String get(HttpExchange ex, String key) {
      return ex == null ? null : ex.getRequestHeaders().getFirst(key);
    }
  };

  /**
   * A filter recording on {@code openTelemetry}'s meter provider.
   *
   * @param openTelemetry where to record (e.g. {@code OtelMetricsBackend.openTelemetry()})
   * @param routeTemplate the bounded route template of a request path, or null when unknown
   */
  public HttpServerMetricsFilter(
      OpenTelemetry openTelemetry, Function<String, String> routeTemplate) {
    this(openTelemetry, routeTemplate, (ex, c) -> ex);
  }

  /**
   * A filter recording on {@code openTelemetry}'s meter provider and, when it has a tracer
   * provider, starting a server span per request (HTTP semantic conventions: named {@code
   * <method> <route>}) under the request's {@code traceparent}, whose W3C context goes to {@code
   * onSpan} before the rest of the chain runs (a handler passes it on, e.g. as a job's parent).
   *
   * <p>{@code onSpan} returns the exchange the rest of the chain gets: the request's own carrier
   * of the context (a wrapper of the exchange). Not the exchange's attributes: before JDK 26 those
   * are its {@code HttpContext}'s, shared by every request in flight on the context.
   *
   * @param onSpan given the exchange and its server span's context, returns the exchange the
   *     chain goes on with; not called when the span is not valid (tracing off)
   */
  public HttpServerMetricsFilter(OpenTelemetry openTelemetry,
      Function<String, String> routeTemplate,
      BiFunction<HttpExchange, TraceContext, HttpExchange> onSpan) {
    Objects.requireNonNull(openTelemetry, "openTelemetry");
    this.onSpan = Objects.requireNonNull(onSpan, "onSpan");
    Objects.requireNonNull(routeTemplate, "routeTemplate");
    JdkHttpExchangeAttributesGetter getter = new JdkHttpExchangeAttributesGetter(routeTemplate);
    this.instrumenter =
        Instrumenter.<HttpExchange, HttpExchange>builder(
                openTelemetry, INSTRUMENTATION_NAME, HttpSpanNameExtractor.create(getter))
            .addAttributesExtractor(HttpServerAttributesExtractor.create(getter))
            .addOperationMetrics(HttpServerMetrics.get())
            .addOperationMetrics(HttpServerExperimentalMetrics.get())
            .buildServerInstrumenter(HEADERS);
  }

  /**
   * Records the request around the rest of the chain. Metrics never break a request: a failure in
   * the instrumentation (exception or linkage error) only loses that request's measurements.
   *
   * <p>{@link Instrumenter#shouldStart} is not called: in instrumentation-api 2.20.1 (and 2.28.1)
   * it reaches {@code io.opentelemetry.api.internal.InstrumentationUtil}, which opentelemetry-api
   * 1.65.0 moved to {@code io.opentelemetry.api.impl}, so it throws {@link NoClassDefFoundError}.
   * What it decides (suppressing a nested server span) does not arise for this filter, which sits
   * at the server edge with tracing off.
   */
  @Override
  public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
    Context context;
    try {
      context = instrumenter.start(Context.current(), exchange);
    } catch (RuntimeException | LinkageError e) {
      context = null;
    }
    if (context == null) {
      chain.doFilter(exchange);
      return;
    }
    Throwable error = null;
    try (Scope ignored = context.makeCurrent()) {
      TraceContext server = W3cContexts.of(Span.fromContext(context));
      HttpExchange next = server == null ? exchange : onSpan.apply(exchange, server);
      chain.doFilter(Objects.requireNonNull(next, "the exchange onSpan returned"));
    } catch (IOException | RuntimeException | Error e) {
      error = e;
      throw e;
    } finally {
      try {
        instrumenter.end(context, exchange, exchange, error);
      } catch (RuntimeException | LinkageError e) {
        // metrics must never break a request
      }
    }
  }

  @Override
  public String description() {
    return "OpenTelemetry HTTP server metrics and spans";
  }
}
