package io.osapi.adapter.otel.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsExchange;
import io.opentelemetry.instrumentation.api.semconv.http.HttpServerAttributesGetter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Function;

/**
 * Reads the semconv HTTP server attributes from a JDK {@link HttpExchange} (request and response
 * are the same object). The route comes from a template function, so it is bounded; a path no
 * template matches gets {@link HttpServerMetricsFilter#UNMATCHED_ROUTE}.
 */
final class JdkHttpExchangeAttributesGetter
    implements HttpServerAttributesGetter<HttpExchange, HttpExchange> {

  private final Function<String, String> routeTemplate;

  JdkHttpExchangeAttributesGetter(Function<String, String> routeTemplate) {
    this.routeTemplate = routeTemplate;
  }

  @Override
  public String getHttpRequestMethod(HttpExchange exchange) {
    return exchange.getRequestMethod();
  }

  @Override
  public List<String> getHttpRequestHeader(HttpExchange exchange, String name) {
    List<String> values = exchange.getRequestHeaders().get(name);
    return values == null ? List.of() : values;
  }

  @Override
  public Integer getHttpResponseStatusCode(
      HttpExchange exchange, HttpExchange response, Throwable error) {
    int code = exchange.getResponseCode();
    return code > 0 ? code : null;
  }

  @Override
  public List<String> getHttpResponseHeader(
      HttpExchange exchange, HttpExchange response, String name) {
    List<String> values = exchange.getResponseHeaders().get(name);
    return values == null ? List.of() : values;
  }

  @Override
  public String getUrlScheme(HttpExchange exchange) {
    return exchange instanceof HttpsExchange ? "https" : "http";
  }

  @Override
  public String getUrlPath(HttpExchange exchange) {
    return exchange.getRequestURI().getRawPath();
  }

  @Override
  public String getUrlQuery(HttpExchange exchange) {
    return exchange.getRequestURI().getRawQuery();
  }

  @Override
  public String getHttpRoute(HttpExchange exchange) {
    String route = null;
    try {
      route = routeTemplate.apply(exchange.getRequestURI().getPath());
    } catch (RuntimeException e) {
      // a faulty route function must not break the request; the route is then unknown
    }
    return route == null ? HttpServerMetricsFilter.UNMATCHED_ROUTE : route;
  }

  @Override
  public String getNetworkProtocolName(HttpExchange exchange, HttpExchange response) {
    return "http";
  }

  @Override
  public String getNetworkProtocolVersion(HttpExchange exchange, HttpExchange response) {
    String protocol = exchange.getProtocol(); // "HTTP/1.1"
    int slash = protocol == null ? -1 : protocol.indexOf('/');
    return slash < 0 ? null : protocol.substring(slash + 1);
  }

  @Override
  public InetSocketAddress getNetworkPeerInetSocketAddress(
      HttpExchange exchange, HttpExchange response) {
    return exchange.getRemoteAddress();
  }

  @Override
  public InetSocketAddress getNetworkLocalInetSocketAddress(
      HttpExchange exchange, HttpExchange response) {
    return exchange.getLocalAddress();
  }
}
