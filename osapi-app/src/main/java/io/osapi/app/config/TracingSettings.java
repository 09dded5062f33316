package io.osapi.app.config;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What the command line says about tracing, with the environment the standard {@code OTEL_*}
 * variables are read from (the wiring combines them: a flag wins over its variable). Without an
 * endpoint from either there is no tracing.
 *
 * @param endpoint {@code --otlp-traces-endpoint}: the full URL spans are exported to
 * @param protocol {@code --otlp-traces-protocol}: {@code http/protobuf} or {@code grpc}
 * @param sampleRatio {@code --trace-sample-ratio}: the share of new traces kept, 0 to 1
 * @param environment the process environment
 */
public record TracingSettings(Optional<URI> endpoint, Optional<String> protocol,
    Optional<Double> sampleRatio, Map<String, String> environment) {
  /** The option of the endpoint. */
  public static final String ENDPOINT_OPTION = "--otlp-traces-endpoint";
  /** The option of the protocol. */
  public static final String PROTOCOL_OPTION = "--otlp-traces-protocol";
  /** The option of the sample ratio. */
  public static final String RATIO_OPTION = "--trace-sample-ratio";

  /** Checks for nulls; copies the environment. */
  public TracingSettings {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(sampleRatio, "sampleRatio");
    environment = Map.copyOf(environment);
  }

  /** No flags and no environment: no tracing. */
  public static TracingSettings none() {
    return new TracingSettings(Optional.empty(), Optional.empty(), Optional.empty(), Map.of());
  }

  /**
   * Parses the flags (null for a flag not given).
   *
   * @throws ConfigException naming the flag that is not valid
   */
  public static TracingSettings parse(String endpoint, String protocol, String ratio,
      Map<String, String> environment) {
    Optional<URI> e = endpoint == null || endpoint.isBlank() ? Optional.empty()
        : Optional.of(MetricsSettings.parseOtlpEndpoint(ENDPOINT_OPTION, endpoint));
    Optional<String> p = Optional.empty();
    if (protocol != null && !protocol.isBlank()) {
      String v = protocol.trim().toLowerCase(Locale.ROOT);
      if (!v.equals("grpc") && !v.equals("http/protobuf")) {
        throw new ConfigException(PROTOCOL_OPTION, "expected http/protobuf or grpc, got '"
            + protocol + "'");
      }
      p = Optional.of(v);
    }
    Optional<Double> r = Optional.empty();
    if (ratio != null && !ratio.isBlank()) {
      double d;
      try {
        d = Double.parseDouble(ratio.trim());
      } catch (NumberFormatException ex) {
        d = Double.NaN;
      }
      if (!(d >= 0 && d <= 1)) {
        throw new ConfigException(RATIO_OPTION, "expected a number from 0 to 1, got '" + ratio
            + "'");
      }
      r = Optional.of(d);
    }
    return new TracingSettings(e, p, r, environment);
  }

  /** Never prints the environment (it may hold credentials). */
  @Override
  public String toString() {
    return "TracingSettings[endpoint=" + endpoint + ", protocol=" + protocol + ", sampleRatio="
        + sampleRatio + "]";
  }
}
