package io.osapi.app.cli;

import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import io.osapi.app.config.Labels;
import io.osapi.app.config.WorkerIds;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.OperationPolicy;
import io.osapi.core.service.WorkerConfig;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Option;

/** Worker options of the worker and the all-in-one process. */
public final class WorkerOptions {
  /** The longest {@code --ack-wait}: running jobs send in-progress acks, so it never needs more. */
  static final Duration MAX_ACK_WAIT = Duration.ofHours(24);

  @Option(
      names = "--worker-id",
      paramLabel = "ID",
      description = "This worker's id, stable across restarts: 1 to 64 of A-Z a-z 0-9 . _ -"
          + " (default: from the host name, here ${sys:osapi.defaultWorkerId}).")
  String workerId;

  @Option(
      names = "--labels",
      paramLabel = "k=v[,k=v]",
      description = "Labels for label targets, like group=web.dev,zone=eu (default: none).")
  String labels;

  @Option(
      names = "--concurrency",
      paramLabel = "N",
      defaultValue = "4",
      description = "Jobs run at the same time, 1 to 1024 (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--ack-wait",
      paramLabel = "DURATION",
      defaultValue = "30s",
      description = "How long a delivery may go unacknowledged before it is redelivered, like 30s"
          + " or 2m (default: ${DEFAULT-VALUE}).")
  String ackWait;

  @Option(
      names = "--max-deliver",
      paramLabel = "N",
      defaultValue = "5",
      description = "Deliveries a job gets at most; the last failing one dead-letters it"
          + " (default: ${DEFAULT-VALUE}).")
  int maxDeliver;

  @Option(
      names = "--worker-key-file",
      paramLabel = "FILE",
      description = "This worker's Ed25519 key pair, made on first start, mode 600 (refused when"
          + " group or others may read it); its run ends are signed with it (default:"
          + " $STATE_DIRECTORY/worker-ID.key under systemd, else ~/.local/state/osapi/worker-ID.key).")
  java.nio.file.Path keyFile;

  @Option(
      names = "--allow-operations",
      paramLabel = "GLOB[,GLOB...]",
      description = "The operations this worker runs, as globs (* for any characters), like"
          + " system.*,diag.*,command.exec; anything else is refused, failed once and never"
          + " retried (default: every operation that is not privileged: system.* and diag.*).")
  String allowOperations;

  @Option(
      names = "--allow-env",
      paramLabel = "NAME[,NAME]",
      description = "Environment variables a command.exec or shell.exec job may set; a job"
          + " setting any other fails (default: none; a command's environment is PATH only).")
  String allowEnv;

  @Option(
      names = "--output-cap-bytes",
      paramLabel = "N",
      defaultValue = "65536",
      description = "Bytes of stdout and of stderr a command.exec or shell.exec run keeps, 1 to"
          + " 262144; the rest is read and dropped (default: ${DEFAULT-VALUE}).")
  int outputCapBytes;

  /** The host operation settings. @throws ConfigException naming the option at fault */
  io.osapi.app.config.HostOperations hostOperations() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    if (allowEnv != null && !allowEnv.isBlank()) {
      for (String n : allowEnv.split(",", -1)) {
        names.add(n.strip());
      }
    }
    try {
      io.osapi.core.operations.HostLimits limits = io.osapi.core.operations.HostLimits.defaults()
          .withAllowedEnv(names).withOutputCap(outputCapBytes);
      return new io.osapi.app.config.HostOperations(limits);
    } catch (InvalidInputException e) {
      throw new ConfigException("--" + e.field(), e.getMessage());
    }
  }

  /** The key file of the worker with {@code id}: the option's, else the default. */
  java.nio.file.Path keyFile(String id) {
    return keyFile != null ? keyFile : io.osapi.app.config.WorkerKeyFile.defaultPath(id);
  }

  /** The worker configuration. @throws ConfigException naming the option at fault */
  WorkerConfig toConfig() {
    String id = workerId == null || workerId.isBlank() ? WorkerIds.defaultId() : workerId.trim();
    try {
      Names.requireWorkerId("worker id", id);
    } catch (InvalidInputException e) {
      throw new ConfigException("--worker-id", e.getMessage());
    }
    Map<String, String> l = Labels.parse("--labels", labels);
    if (concurrency < 1 || concurrency > 1024) {
      throw new ConfigException("--concurrency", "must be between 1 and 1024, got " + concurrency);
    }
    Duration aw = Durations.parseAtMost("--ack-wait", ackWait, MAX_ACK_WAIT, "24h");
    if (aw.toMillis() < 1000) {
      throw new ConfigException("--ack-wait", "must be at least 1s, got '" + ackWait + "'");
    }
    if (maxDeliver < 1 || maxDeliver > 1000) {
      throw new ConfigException("--max-deliver", "must be between 1 and 1000, got " + maxDeliver);
    }
    OperationPolicy allowed = OperationPolicy.defaults();
    if (allowOperations != null) {
      try {
        allowed = OperationPolicy.parse(allowOperations);
      } catch (InvalidInputException e) {
        throw new ConfigException("--allow-operations", e.getMessage());
      }
    }
    WorkerConfig d = WorkerConfig.defaults(id);
    return d.withLabels(l).withConcurrency(concurrency)
        .withDelivery(aw, maxDeliver, d.retryDelay()).withAllowed(allowed);
  }
}
