package io.osapi.app.cli;

import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.ProcessSettings;
import io.osapi.core.service.WorkerConfig;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code osapi-app worker}: one worker with its own metrics. */
@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = "Runs a worker: consumes jobs from NATS, runs them, writes status and results;"
        + " its own /metrics.")
public final class WorkerCommand implements Callable<Integer> {
  private final ProcessLauncher launcher;

  @Spec CommandSpec spec;

  @Mixin NatsServersOption servers;
  @Mixin MetricsAddressOption metrics = new MetricsAddressOption(MetricsSettings.WORKER_ADDRESS);

  @Mixin WorkerOptions worker;
  @Mixin JobKeyOptions.Verify verify;
  @Mixin NatsOptions natsOptions;
  @Mixin CommonServerOptions common;

  /** @param launcher builds the process */
  public WorkerCommand(ProcessLauncher launcher) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
  }

  /** The worker settings of the parsed options. */
  ProcessSettings settings() {
    WorkerConfig w = worker.toConfig();
    return new ProcessSettings(
        ProcessKind.WORKER,
        Optional.of(natsOptions.toSettings(servers.nats, "osapi-worker-" + w.workerId(), w, false)),
        Optional.empty(),
        new MetricsSettings(metrics.address(), common.otlp(),
            "osapi-worker").withTracing(common.tracing())
            .withLogFormat(common.logFormat()),
        Optional.of(w),
        common.lifecycle()).withWorkerKeyFile(worker.keyFile(w.workerId()))
        .withJobKeys(JobKeyOptions.worker(verify))
        .withHostOperations(worker.hostOperations());
  }

  @Override
  public Integer call() throws Exception {
    return ServerRunner.run(launcher, settings(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
