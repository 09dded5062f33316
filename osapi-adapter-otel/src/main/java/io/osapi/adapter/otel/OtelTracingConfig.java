package io.osapi.adapter.otel;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where and how much {@link OtelMetricsBackend} traces: the OTLP span exporter (the one the SDK
 * ships, over http/protobuf or gRPC) and the sampler (parent-based: a trace the caller sampled is
 * kept, one it did not is not; a new trace is kept with probability {@link #sampleRatio()}).
 * Without a configuration there is no tracing at all (no spans, no context passed on).
 *
 * <p>{@link #fromEnvironment} reads the standard variables: {@code OTEL_EXPORTER_OTLP_ENDPOINT}
 * (a base URL: {@code /v1/traces} is appended for http/protobuf) or {@code
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (used as given), {@code OTEL_EXPORTER_OTLP[_TRACES]_PROTOCOL}
 * ({@code http/protobuf}, the default, or {@code grpc}), {@code OTEL_EXPORTER_OTLP[_TRACES]_HEADERS}
 * ({@code k=v,k2=v2}, URL-encoded values; never logged), {@code
 * OTEL_EXPORTER_OTLP[_TRACES]_TIMEOUT} (milliseconds), {@code OTEL_TRACES_SAMPLER} ({@code
 * parentbased_traceidratio}, the default here, {@code parentbased_always_on}, {@code
 * parentbased_always_off}, {@code traceidratio}, {@code always_on}, {@code always_off}) with {@code
 * OTEL_TRACES_SAMPLER_ARG} (the ratio, default 1.0); {@code OTEL_TRACES_EXPORTER=none} or {@code
 * OTEL_SDK_DISABLED=true} turn tracing off.
 *
 * @param endpoint the full URL spans are exported to ({@code http://collector:4318/v1/traces},
 *     or {@code http://collector:4317} for gRPC)
 * @param protocol http/protobuf or gRPC
 * @param headers headers sent with every export (credentials: never logged)
 * @param timeout how long one export may take
 * @param sampleRatio the share of new traces kept, 0 to 1
 * @param parentBased whether a caller's sampling decision is followed (the default)
 */
public record OtelTracingConfig(URI endpoint, Protocol protocol, Map<String, String> headers,
    Duration timeout, double sampleRatio, boolean parentBased) {

  /** The export timeout when none is set: the SDK's 10 s. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  /** Checks the values. */
  public OtelTracingConfig {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(protocol, "protocol");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(timeout, "timeout");
    if (!("http".equals(endpoint.getScheme()) || "https".equals(endpoint.getScheme()))
        || endpoint.getHost() == null) {
      throw new IllegalArgumentException("the OTLP traces endpoint must be an http:// or https://"
          + " URL: " + endpoint);
    }
    if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
      throw new IllegalArgumentException("the trace sample ratio must be between 0 and 1: "
          + sampleRatio);
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("the OTLP export timeout must be positive: " + timeout);
    }
  }

  /** Never prints the headers (they hold credentials). */
  @Override
  public String toString() {
    return "OtelTracingConfig[endpoint=" + endpoint + ", protocol=" + protocol.wire()
        + ", headers=" + headers.keySet() + ", timeout=" + timeout + ", sampleRatio="
        + sampleRatio + ", parentBased=" + parentBased + "]";
  }

  /** The OTLP transport. */
  public enum Protocol {
    /** OTLP over HTTP with protobuf bodies ({@code http/protobuf}). */
    HTTP_PROTOBUF("http/protobuf"),
    /** OTLP over gRPC ({@code grpc}). */
    GRPC("grpc");

    private final String wire;

    Protocol(String wire) {
      this.wire = wire;
    }

    /** The name in {@code OTEL_EXPORTER_OTLP_PROTOCOL}. */
    public String wire() {
      return wire;
    }

    /** The protocol called {@code text}. @throws IllegalArgumentException for another name */
    public static Protocol of(String text) {
      for (Protocol p : values()) {
        if (p.wire.equals(text.trim().toLowerCase(Locale.ROOT))) {
          return p;
        }
      }
      throw new IllegalArgumentException("unknown OTLP protocol '" + text
          + "' (expected http/protobuf or grpc)");
    }
  }

  /**
   * A builder from the standard {@code OTEL_*} variables in {@code env}; set what the command
   * line says on it, then {@link Builder#build()}.
   *
   * @throws IllegalArgumentException naming the variable that is not valid
   */
  public static Builder fromEnvironment(Map<String, String> env) {
    Builder b = new Builder();
    String disabled = env.get("OTEL_SDK_DISABLED");
    String exporter = env.get("OTEL_TRACES_EXPORTER");
    b.off = "true".equalsIgnoreCase(trim(disabled)) || "none".equalsIgnoreCase(trim(exporter));
    String protocol = either(env, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL");
    if (protocol != null) {
      b.protocol = Protocol.of(protocol);
    }
    String specific = trim(env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
    String base = trim(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
    if (specific != null) {
      b.endpoint = uri("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", specific);
    } else if (base != null) {
      b.baseEndpoint = uri("OTEL_EXPORTER_OTLP_ENDPOINT", base);
    }
    String headers = either(env, "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS");
    if (headers != null) {
      b.headers = headers(headers);
    }
    String timeout = either(env, "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT");
    if (timeout != null) {
      try {
        b.timeout = Duration.ofMillis(Long.parseLong(timeout));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_TIMEOUT must be milliseconds: '"
            + timeout + "'");
      }
    }
    String sampler = trim(env.get("OTEL_TRACES_SAMPLER"));
    String arg = trim(env.get("OTEL_TRACES_SAMPLER_ARG"));
    if (sampler != null) {
      switch (sampler.toLowerCase(Locale.ROOT)) {
        case "parentbased_traceidratio" -> b.parentBased = true;
        case "traceidratio" -> b.parentBased = false;
        case "parentbased_always_on" -> {
          b.parentBased = true;
          b.ratio = 1.0;
          arg = null;
        }
        case "always_on" -> {
          b.parentBased = false;
          b.ratio = 1.0;
          arg = null;
        }
        case "parentbased_always_off" -> {
          b.parentBased = true;
          b.ratio = 0.0;
          arg = null;
        }
        case "always_off" -> {
          b.parentBased = false;
          b.ratio = 0.0;
          arg = null;
        }
        default -> throw new IllegalArgumentException("OTEL_TRACES_SAMPLER '" + sampler
            + "' is not supported (parentbased_traceidratio, parentbased_always_on,"
            + " parentbased_always_off, traceidratio, always_on, always_off)");
      }
    }
    if (arg != null) {
      b.sampleRatio(parseRatio("OTEL_TRACES_SAMPLER_ARG", arg));
    }
    return b;
  }

  /** A builder with nothing configured: {@link Builder#build()} gives no tracing until an endpoint is set. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Parses a sample ratio.
   *
   * @throws IllegalArgumentException naming {@code what} when it is not a number from 0 to 1
   */
  public static double parseRatio(String what, String text) {
    double r;
    try {
      r = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      r = Double.NaN;
    }
    if (!(r >= 0 && r <= 1)) {
      throw new IllegalArgumentException(what + " must be a number from 0 to 1: '" + text + "'");
    }
    return r;
  }

  private static String either(Map<String, String> env, String specific, String general) {
    String s = trim(env.get(specific));
    return s != null ? s : trim(env.get(general));
  }

  private static String trim(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static URI uri(String what, String text) {
    try {
      return URI.create(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + " is not a URL");
    }
  }

  private static Map<String, String> headers(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      if (eq <= 0) {
        // the value is a secret: say where, not what
        throw new IllegalArgumentException("OTEL_EXPORTER_OTLP_HEADERS holds an entry without"
            + " name=value");
      }
      out.put(part.substring(0, eq).trim(),
          URLDecoder.decode(part.substring(eq + 1).trim(), StandardCharsets.UTF_8));
    }
    return out;
  }

  /** Builds an {@link OtelTracingConfig}; every setter returns the builder. */
  public static final class Builder {
    private boolean off;
    private URI endpoint;
    private URI baseEndpoint;
    private Protocol protocol = Protocol.HTTP_PROTOBUF;
    private Map<String, String> headers = Map.of();
    private Duration timeout = DEFAULT_TIMEOUT;
    private double ratio = 1.0;
    private boolean parentBased = true;

    private Builder() {}

    /** The full URL to export spans to (wins over a base endpoint from the environment). */
    public Builder endpoint(URI endpoint) {
      this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
      this.off = false;
      return this;
    }

    /** The transport. */
    public Builder protocol(Protocol protocol) {
      this.protocol = Objects.requireNonNull(protocol, "protocol");
      return this;
    }

    /** The share of new traces kept, 0 to 1. */
    public Builder sampleRatio(double ratio) {
      if (!(ratio >= 0 && ratio <= 1)) {
        throw new IllegalArgumentException("the trace sample ratio must be between 0 and 1: "
            + ratio);
      }
      this.ratio = ratio;
      return this;
    }

    /** Headers sent with every export. */
    public Builder headers(Map<String, String> headers) {
      this.headers = Map.copyOf(headers);
      return this;
    }

    /** How long one export may take. */
    public Builder timeout(Duration timeout) {
      this.timeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** The configuration, or empty when no endpoint is configured or tracing is turned off. */
    public Optional<OtelTracingConfig> build() {
      URI u = endpoint;
      if (u == null && baseEndpoint != null) {
        u = protocol == Protocol.GRPC ? baseEndpoint : URI.create(
            baseEndpoint.toString().replaceAll("/+$", "") + "/v1/traces");
      }
      if (off || u == null) {
        return Optional.empty();
      }
      return Optional.of(
          new OtelTracingConfig(u, protocol, headers, timeout, ratio, parentBased));
    }
  }
}
