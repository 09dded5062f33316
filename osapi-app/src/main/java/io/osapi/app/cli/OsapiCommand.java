package io.osapi.app.cli;

import io.osapi.app.config.ConfigException;
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
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code osapi-app} command. Without a subcommand it runs the all-in-one process: controller
 * and one worker in one JVM, on the embedded broker unless {@code --nats} is given, with one
 * {@code /metrics} carrying both sides' families.
 */
@Command(
    name = "osapi-app",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Runs jobs on Linux hosts.",
      "",
      "Without a command: the all-in-one process (REST API, job client and one worker in one JVM,"
          + " on the embedded in-memory broker unless --nats is given).",
      "Every option can also be set with an environment variable OSAPI_<NAME>"
          + " (--api-addr: OSAPI_API_ADDR) or in the --config file."
    },
    footer = {"", "Exit codes: 0 ok, 1 failure, 2 bad command line or option value."})
public final class OsapiCommand implements Callable<Integer> {
  private final ProcessLauncher launcher;

  @Spec CommandSpec spec;

  @Option(
      names = "--nats",
      paramLabel = "URL[,URL...]",
      description = "NATS server URLs; without it the embedded broker is used (default: none).")
  String nats;

  @Mixin
  MetricsAddressOption metrics = new MetricsAddressOption(MetricsSettings.CONTROLLER_ADDRESS);

  @Mixin ApiOptions api;
  @Mixin WorkerOptions worker;
  @Mixin JobKeyOptions.Signing signing;
  @Mixin JobKeyOptions.Verify verify;
  @Mixin NatsOptions natsOptions;
  @Mixin EmbeddedOptions embeddedOptions;
  @Mixin AuditOptions audit;
  @Mixin CommonServerOptions common;

  /** @param launcher builds the process */
  public OsapiCommand(ProcessLauncher launcher) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
  }

  /** The all-in-one settings of the parsed options. */
  ProcessSettings settings() {
    WorkerConfig w = worker.toConfig();
    if (nats != null && nats.isBlank()) {
      throw new ConfigException("--nats", "is empty: give NATS server URLs (like"
          + " nats://127.0.0.1:4222), or leave the option out for the embedded broker");
    }
    boolean embedded = nats == null;
    if (embedded) {
      natsOptions.checkWithoutNats();
    }
    return new ProcessSettings(
        ProcessKind.ALL_IN_ONE,
        embedded ? Optional.empty()
            : Optional.of(natsOptions.toSettings(nats, "osapi-all-in-one-" + w.workerId(), w, true)),
        Optional.of(api.toSettings()),
        new MetricsSettings(metrics.address(), common.otlp(),
            "osapi").withTracing(common.tracing())
            .withLogFormat(common.logFormat()),
        Optional.of(w),
        common.lifecycle(),
        natsOptions.jobTtl(),
        embeddedOptions.toLimits(Runtime.getRuntime().maxMemory()))
        .withWorkerKeyFile(worker.keyFile(w.workerId()))
        .withAudit(audit.toSettings(embeddedOptions.auditCapacity))
        .withJobKeys(JobKeyOptions.allInOne(signing, verify))
        .withHostOperations(worker.hostOperations());
  }

  @Override
  public Integer call() throws Exception {
    return ServerRunner.run(launcher, settings(), spec.commandLine().getOut(),
        spec.commandLine().getErr());
  }
}
