package io.osapi.app.cli;

import io.osapi.app.config.HostPort;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.ProcessSettings;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code osapi-app controller}: the REST API, the job client and the controller's metrics. */
@Command(
    name = "controller",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Runs the controller: REST API, job client and its own /metrics, on NATS.")
public final class ControllerCommand implements Callable<Integer> {
  private final ProcessLauncher launcher;

  @Spec CommandSpec spec;

  @Option(
      names = "--nats",
      paramLabel = "URL[,URL...]",
      defaultValue = "nats://127.0.0.1:4222",
      description = "NATS server URLs (default: ${DEFAULT-VALUE}).")
  String nats;

  @Option(
      names = "--metrics-addr",
      paramLabel = "HOST:PORT",
      defaultValue = MetricsSettings.CONTROLLER_ADDRESS,
      description = "Where /metrics and /health listen (default: ${DEFAULT-VALUE}).")
  String metricsAddr;

  @Mixin ApiOptions api;
  @Mixin NatsOptions natsOptions;
  @Mixin CommonServerOptions common;

  /** @param launcher builds the process */
  public ControllerCommand(ProcessLauncher launcher) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
  }

  /** The controller settings of the parsed options. */
  ProcessSettings settings() {
    return new ProcessSettings(
        ProcessKind.CONTROLLER,
        Optional.of(natsOptions.toSettings(nats, "osapi-controller", null)),
        Optional.of(api.toSettings()),
        new MetricsSettings(HostPort.parseListen("--metrics-addr", metricsAddr), common.otlp(),
            "osapi-controller"),
        Optional.empty(),
        common.lifecycle());
  }

  @Override
  public Integer call() throws Exception {
    return ServerRunner.run(launcher, settings(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
