package io.osapi.app.cli;

import io.osapi.app.config.HostPort;
import java.util.Objects;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-addr}, declared once for the server commands; each command gives its default
 * (the field's initial value, which picocli shows as the default).
 */
public final class MetricsAddressOption {
  @Option(
      names = "--metrics-addr",
      paramLabel = "HOST:PORT",
      description = "Where /metrics and /health listen (default: ${DEFAULT-VALUE}).")
  String metricsAddr;

  /** For picocli's reflection; the commands construct it with their default. */
  MetricsAddressOption() {}

  MetricsAddressOption(String defaultAddress) {
    this.metricsAddr = Objects.requireNonNull(defaultAddress, "defaultAddress");
  }

  /** The address to listen on. @throws io.osapi.app.config.ConfigException when invalid */
  HostPort address() {
    return HostPort.parseListen("--metrics-addr", metricsAddr);
  }
}
