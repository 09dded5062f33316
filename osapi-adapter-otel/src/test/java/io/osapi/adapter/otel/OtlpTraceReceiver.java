package io.osapi.adapter.otel;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace receiver for tests: a real HTTP server on a free loopback port that decodes
 * every export with the OTLP protobuf definitions and keeps the spans.
 */
public final class OtlpTraceReceiver implements AutoCloseable {
  private final HttpServer server;
  private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
  private final List<String> contentTypes = new CopyOnWriteArrayList<>();

  /** One received span, decoded. */
  public record ReceivedSpan(String service, String scope, String traceId, String spanId,
      String parentSpanId, String name, Span.SpanKind kind, Map<String, String> attributes,
      List<String> events, int statusCode) {}

  private OtlpTraceReceiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/v1/traces", exchange -> {
      try (exchange) {
        contentTypes.add(String.valueOf(exchange.getRequestHeaders().getFirst("Content-Type")));
        ExportTraceServiceRequest r =
            ExportTraceServiceRequest.parseFrom(exchange.getRequestBody().readAllBytes());
        for (ResourceSpans rs : r.getResourceSpansList()) {
          String service = attributes(rs.getResource().getAttributesList()).get("service.name");
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            for (Span s : ss.getSpansList()) {
              spans.add(new ReceivedSpan(service, ss.getScope().getName(),
                  hex(s.getTraceId().toByteArray()), hex(s.getSpanId().toByteArray()),
                  hex(s.getParentSpanId().toByteArray()), s.getName(), s.getKind(),
                  attributes(s.getAttributesList()),
                  s.getEventsList().stream().map(Span.Event::getName).toList(),
                  s.getStatus().getCodeValue()));
            }
          }
        }
        exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
        exchange.sendResponseHeaders(200, -1);
      }
    });
    server.start();
  }

  /** Starts a receiver. */
  public static OtlpTraceReceiver start() throws IOException {
    return new OtlpTraceReceiver();
  }

  /** The URL to export spans to. */
  public URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v1/traces");
  }

  /** The base URL ({@code OTEL_EXPORTER_OTLP_ENDPOINT}). */
  public URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Every span received so far. */
  public List<ReceivedSpan> spans() {
    return List.copyOf(spans);
  }

  /** The spans named {@code name} received so far. */
  public List<ReceivedSpan> spans(String name) {
    return spans.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** The Content-Type of every export received. */
  public List<String> contentTypes() {
    return List.copyOf(contentTypes);
  }

  private static String hex(byte[] b) {
    return b.length == 0 ? "" : HexFormat.of().formatHex(b);
  }

  private static Map<String, String> attributes(List<KeyValue> kvs) {
    Map<String, String> out = new HashMap<>();
    for (KeyValue kv : kvs) {
      AnyValue v = kv.getValue();
      out.put(kv.getKey(), v.hasIntValue() ? Long.toString(v.getIntValue())
          : v.hasBoolValue() ? Boolean.toString(v.getBoolValue()) : v.getStringValue());
    }
    return out;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
