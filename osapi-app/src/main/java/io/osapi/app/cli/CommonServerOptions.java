package io.osapi.app.cli;

import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.LogFormat;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.TracingSettings;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options every server command has: config file, OTLP push, tracing, drain timeout. */
public final class CommonServerOptions {
  @Option(
      names = OptionSources.CONFIG_OPTION,
      paramLabel = "FILE",
      description = "Properties file with option values, keyed by option name without dashes"
          + " (api-addr=127.0.0.1:8080). Command-line flags and OSAPI_* environment variables"
          + " win over it.")
  Path config;

  @Option(
      names = "--otlp-endpoint",
      paramLabel = "URL",
      description = "Also push metrics with OTLP http/protobuf to this URL, like"
          + " http://127.0.0.1:4318/v1/metrics (default: no push).")
  String otlpEndpoint;

  @Mixin TracingOptions tracingOptions = new TracingOptions();

  @Option(
      names = LogFormat.OPTION,
      paramLabel = "FORMAT",
      defaultValue = "text",
      description = "text, or json for one JSON object per line (time, level, logger, message,"
          + " trace_id, span_id, job_id) (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(
      names = "--drain-timeout",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description = "On SIGTERM/SIGINT, how long running jobs may finish before they are handed"
          + " back (default: ${DEFAULT-VALUE}).")
  String drainTimeout;

  /** The OTLP endpoint, if configured. */
  Optional<URI> otlp() {
    return otlpEndpoint == null || otlpEndpoint.isBlank() ? Optional.empty()
        : Optional.of(MetricsSettings.parseOtlpEndpoint("--otlp-endpoint", otlpEndpoint));
  }

  /** The log format. @throws ConfigException for a bad value */
  LogFormat logFormat() {
    return LogFormat.parse(logFormat);
  }

  /** The tracing flags, with the process environment. @throws ConfigException for a bad flag */
  TracingSettings tracing() {
    return tracingOptions.settings();
  }

  /** Lifecycle timing. @throws ConfigException naming the option at fault */
  LifecycleSettings lifecycle() {
    Duration drain = Durations.parse("--drain-timeout", drainTimeout);
    if (drain.isNegative() || drain.compareTo(Duration.ofHours(1)) > 0) {
      throw new ConfigException("--drain-timeout", "must be between 0s and 1h");
    }
    LifecycleSettings d = LifecycleSettings.defaults();
    return new LifecycleSettings(drain, d.refreshInterval(), d.readinessInterval());
  }
}
