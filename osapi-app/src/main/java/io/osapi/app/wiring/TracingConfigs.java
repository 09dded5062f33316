package io.osapi.app.wiring;

import io.osapi.adapter.otel.OtelTracingConfig;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.TracingSettings;
import java.util.Optional;

/** Turns the tracing flags and the {@code OTEL_*} variables into the OTel adapter's configuration. */
public final class TracingConfigs {
  private TracingConfigs() {}

  /**
   * The tracing configuration, or empty for no tracing (no endpoint from a flag or a variable, or
   * {@code OTEL_TRACES_EXPORTER=none}). A flag wins over its variable.
   *
   * @throws ConfigException naming the flag or variable that is not valid
   */
  public static Optional<OtelTracingConfig> of(TracingSettings s) {
    OtelTracingConfig.Builder b;
    try {
      b = OtelTracingConfig.fromEnvironment(s.environment());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("the OTEL_* environment", e.getMessage());
    }
    s.protocol().ifPresent(p -> b.protocol(OtelTracingConfig.Protocol.of(p)));
    s.sampleRatio().ifPresent(b::sampleRatio);
    s.endpoint().ifPresent(b::endpoint);
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(s.endpoint().isPresent() ? TracingSettings.ENDPOINT_OPTION
          : "OTEL_EXPORTER_OTLP_ENDPOINT", e.getMessage());
    }
  }
}
