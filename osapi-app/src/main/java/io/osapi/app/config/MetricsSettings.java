package io.osapi.app.config;

import java.net.URI;
import java.util.Objects;
import java.util.Optional;

/**
 * How a process exposes its metrics.
 *
 * @param address where {@code /metrics} and the health endpoints listen
 * @param otlpEndpoint where metrics are also pushed with OTLP, or empty for pull only
 * @param serviceName the {@code service.name} resource attribute ({@code osapi-controller} ...)
 * @param tracing where spans are exported (flags and environment), none for no tracing
 * @param logFormat how log lines are written
 */
public record MetricsSettings(HostPort address, Optional<URI> otlpEndpoint, String serviceName,
    TracingSettings tracing, LogFormat logFormat) {
  /** Default metrics address of the controller and the all-in-one process. */
  public static final String CONTROLLER_ADDRESS = "127.0.0.1:9090";

  /** Default metrics address of a worker process. */
  public static final String WORKER_ADDRESS = "127.0.0.1:9091";

  /** Settings without tracing. */
  public MetricsSettings(HostPort address, Optional<URI> otlpEndpoint, String serviceName) {
    this(address, otlpEndpoint, serviceName, TracingSettings.none(), LogFormat.TEXT);
  }

  /** These settings with {@code t} as the tracing settings. */
  public MetricsSettings withTracing(TracingSettings t) {
    return new MetricsSettings(address, otlpEndpoint, serviceName, t, logFormat);
  }

  /** These settings with {@code f} as the log format. */
  public MetricsSettings withLogFormat(LogFormat f) {
    return new MetricsSettings(address, otlpEndpoint, serviceName, tracing, f);
  }

  /** Checks for nulls. */
  public MetricsSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tracing, "tracing");
    Objects.requireNonNull(logFormat, "logFormat");
    Objects.requireNonNull(otlpEndpoint, "otlpEndpoint");
    Objects.requireNonNull(serviceName, "serviceName");
  }

  /**
   * Parses an OTLP endpoint URL ({@code http://host:4318} or {@code https://...}).
   *
   * @throws ConfigException naming {@code option} for anything else
   */
  public static URI parseOtlpEndpoint(String option, String text) {
    URI u;
    try {
      u = URI.create(text.trim());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, "'" + text + "' is not a URL");
    }
    if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
      throw new ConfigException(option, "expected an http:// or https:// URL, got '" + text + "'");
    }
    return u;
  }
}
