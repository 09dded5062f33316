package io.osapi.app.cli;

import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.ProcessSettings;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
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

  @Mixin NatsServersOption servers;
  @Mixin MetricsAddressOption metrics = new MetricsAddressOption(MetricsSettings.CONTROLLER_ADDRESS);

  @Mixin ApiOptions api;
  @Mixin JobKeyOptions.Signing signing;
  @Mixin NatsOptions natsOptions;
  @Mixin AuditOptions audit;
  @Mixin CommonServerOptions common;

  /** @param launcher builds the process */
  public ControllerCommand(ProcessLauncher launcher) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
  }

  /** The controller settings of the parsed options. */
  ProcessSettings settings() {
    return new ProcessSettings(
        ProcessKind.CONTROLLER,
        Optional.of(natsOptions.toSettings(servers.nats, "osapi-controller", null, true)),
        Optional.of(api.toSettings()),
        new MetricsSettings(metrics.address(), common.otlp(),
            "osapi-controller").withTracing(common.tracing())
            .withLogFormat(common.logFormat()),
        Optional.empty(),
        common.lifecycle())
        .withAudit(audit.toSettings(io.osapi.app.config.AuditSettings.DEFAULT.embeddedCapacity()))
        .withJobKeys(JobKeyOptions.controller(signing));
  }

  @Override
  public Integer call() throws Exception {
    return ServerRunner.run(launcher, settings(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
