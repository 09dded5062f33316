package io.osapi.app.cli;

import io.osapi.app.config.TracingSettings;
import picocli.CommandLine.Option;

/** The tracing options of the server commands and of {@code job submit}. */
public final class TracingOptions {
  @Option(
      names = TracingSettings.ENDPOINT_OPTION,
      paramLabel = "URL",
      description = "Export traces with OTLP to this URL, like http://127.0.0.1:4318/v1/traces"
          + " (default: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or OTEL_EXPORTER_OTLP_ENDPOINT; neither:"
          + " no tracing).")
  String otlpTracesEndpoint;

  @Option(
      names = TracingSettings.PROTOCOL_OPTION,
      paramLabel = "PROTOCOL",
      description = "http/protobuf or grpc (default: OTEL_EXPORTER_OTLP_PROTOCOL, else"
          + " http/protobuf).")
  String otlpTracesProtocol;

  @Option(
      names = TracingSettings.RATIO_OPTION,
      paramLabel = "RATIO",
      description = "The share of new traces kept, 0 to 1; a caller's decision is followed"
          + " (default: OTEL_TRACES_SAMPLER_ARG, else 1).")
  String traceSampleRatio;

  /** The flags, with the process environment. @throws io.osapi.app.config.ConfigException for a bad flag */
  TracingSettings settings() {
    return TracingSettings.parse(otlpTracesEndpoint, otlpTracesProtocol, traceSampleRatio,
        System.getenv());
  }
}
