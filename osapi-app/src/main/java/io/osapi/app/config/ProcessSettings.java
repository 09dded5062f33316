package io.osapi.app.config;

import io.osapi.adapter.nats.NatsSettings;
import io.osapi.core.memory.StoreLimits;
import io.osapi.core.service.WorkerConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything a server process is started with, validated.
 *
 * @param kind which deployable
 * @param nats how to reach NATS, or empty for the embedded broker (all-in-one only)
 * @param api the REST API (controller and all-in-one)
 * @param metrics the metrics endpoint
 * @param worker the worker (worker and all-in-one)
 * @param lifecycle drain and refresh timing
 * @param jobRetention how long jobs are kept after their last write ({@code --job-ttl}; with NATS
 *     the same as its settings' jobs TTL), zero for ever
 * @param embeddedLimits the size bound of the embedded broker's job store (used without NATS)
 * @param workerKeyFile the worker's key file ({@code --worker-key-file}), or empty for a worker
 *     without a key (its run ends are unsigned; tests and embeddings only)
 * @param audit the audit trail's retention and the embedded ring's capacity (with NATS the
 *     retention is also in its settings, {@link NatsSettings#auditRetention()})
 * @param jobKeys the keys of privileged jobs: the controller's signer, the worker's verifier
 * @param hostOperations the worker's settings of the host operations ({@code command.exec} and
 *     the others)
 *
 * <p>With both NATS and API settings, the NATS settings' {@link NatsSettings#idempotencyWindow()}
 * is the API's {@link ApiSettings#idempotencyWindow()} ({@code --idempotency-window}).
 */
public record ProcessSettings(
    ProcessKind kind,
    Optional<NatsSettings> nats,
    Optional<ApiSettings> api,
    MetricsSettings metrics,
    Optional<WorkerConfig> worker,
    LifecycleSettings lifecycle,
    Duration jobRetention,
    StoreLimits embeddedLimits,
    Optional<Path> workerKeyFile,
    AuditSettings audit,
    JobKeys jobKeys,
    HostOperations hostOperations) {
  /** The default job retention: 24 h, as the {@code --job-ttl} option's default. */
  public static final Duration DEFAULT_JOB_RETENTION = Duration.ofHours(24);

  /**
   * Settings with the default audit settings, without job keys (no privileged job is created or
   * run) and the default host operation settings.
   */
  public ProcessSettings(ProcessKind kind, Optional<NatsSettings> nats, Optional<ApiSettings> api,
      MetricsSettings metrics, Optional<WorkerConfig> worker, LifecycleSettings lifecycle,
      Duration jobRetention, StoreLimits embeddedLimits, Optional<Path> workerKeyFile) {
    this(kind, nats, api, metrics, worker, lifecycle, jobRetention, embeddedLimits, workerKeyFile,
        AuditSettings.DEFAULT, JobKeys.none(), HostOperations.defaults());
  }

  /** Settings without a worker key file. */
  public ProcessSettings(ProcessKind kind, Optional<NatsSettings> nats, Optional<ApiSettings> api,
      MetricsSettings metrics, Optional<WorkerConfig> worker, LifecycleSettings lifecycle,
      Duration jobRetention, StoreLimits embeddedLimits) {
    this(kind, nats, api, metrics, worker, lifecycle, jobRetention, embeddedLimits,
        Optional.empty());
  }

  /** Settings with the default embedded bound: 100,000 jobs and a quarter of this JVM's heap. */
  public ProcessSettings(ProcessKind kind, Optional<NatsSettings> nats, Optional<ApiSettings> api,
      MetricsSettings metrics, Optional<WorkerConfig> worker, LifecycleSettings lifecycle,
      Duration jobRetention) {
    this(kind, nats, api, metrics, worker, lifecycle, jobRetention,
        StoreLimits.forHeap(Runtime.getRuntime().maxMemory()));
  }

  /** Settings whose job retention is the NATS jobs TTL, or the default without NATS. */
  public ProcessSettings(ProcessKind kind, Optional<NatsSettings> nats, Optional<ApiSettings> api,
      MetricsSettings metrics, Optional<WorkerConfig> worker, LifecycleSettings lifecycle) {
    this(kind, nats, api, metrics, worker, lifecycle,
        nats.map(NatsSettings::jobsTtl).orElse(DEFAULT_JOB_RETENTION));
  }

  /** Checks that each kind has the parts it needs, and that separate processes have NATS. */
  public ProcessSettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(nats, "nats");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(lifecycle, "lifecycle");
    if (nats.isPresent() && api.isPresent()) {
      // the API's idempotency window is the max age of the NATS bucket that keeps the keys
      Duration window = api.get().idempotencyWindow();
      nats = nats.map(n -> n.idempotencyWindow().equals(window) ? n
          : n.toBuilder().idempotencyWindow(window).build());
    }
    Objects.requireNonNull(jobRetention, "jobRetention");
    Objects.requireNonNull(embeddedLimits, "embeddedLimits");
    Objects.requireNonNull(workerKeyFile, "workerKeyFile");
    Objects.requireNonNull(audit, "audit");
    Objects.requireNonNull(jobKeys, "jobKeys");
    Objects.requireNonNull(hostOperations, "hostOperations");
    if (jobRetention.isNegative()) {
      throw new ConfigException("--job-ttl", "must not be negative");
    }
    Duration floor = api.map(a -> a.jobTimeout().plus(
        io.osapi.core.service.JobClient.RETENTION_BEYOND_TIMEOUT)).orElse(Duration.ZERO);
    if (!jobRetention.isZero() && jobRetention.compareTo(floor) < 0) {
      throw new ConfigException("--job-ttl", "must be 0s (for ever) or at least --job-timeout ("
          + Durations.format(api.get().jobTimeout()) + ") plus 1m: a job must be kept past its"
          + " timeout, got " + Durations.format(jobRetention));
    }
    if (kind != ProcessKind.ALL_IN_ONE && nats.isEmpty()) {
      throw new ConfigException("--nats", "the " + kind.label() + " needs a NATS server URL");
    }
    if (kind != ProcessKind.WORKER && api.isEmpty()) {
      throw new IllegalArgumentException("the " + kind.label() + " needs API settings");
    }
    if (kind != ProcessKind.CONTROLLER && worker.isEmpty()) {
      throw new IllegalArgumentException("the " + kind.label() + " needs a worker config");
    }
  }

  /** These settings with the worker key file {@code file}. */
  public ProcessSettings withWorkerKeyFile(Path file) {
    return new ProcessSettings(kind, nats, api, metrics, worker, lifecycle, jobRetention,
        embeddedLimits, Optional.of(file), audit, jobKeys, hostOperations);
  }

  /** These settings with the audit settings {@code a}, its retention in the NATS settings too. */
  public ProcessSettings withAudit(AuditSettings a) {
    return new ProcessSettings(kind,
        nats.map(n -> n.toBuilder().auditRetention(a.retention()).build()), api, metrics, worker,
        lifecycle, jobRetention, embeddedLimits, workerKeyFile, a, jobKeys, hostOperations);
  }

  /** These settings with the job keys {@code keys}. */
  public ProcessSettings withJobKeys(JobKeys keys) {
    return new ProcessSettings(kind, nats, api, metrics, worker, lifecycle, jobRetention,
        embeddedLimits, workerKeyFile, audit, keys, hostOperations);
  }

  /** These settings with the host operation settings {@code host}. */
  public ProcessSettings withHostOperations(HostOperations host) {
    return new ProcessSettings(kind, nats, api, metrics, worker, lifecycle, jobRetention,
        embeddedLimits, workerKeyFile, audit, jobKeys, host);
  }

  /** The API settings; only for kinds that have an API. */
  public ApiSettings requireApi() {
    return api.orElseThrow(() -> new IllegalStateException(kind.label() + " has no API"));
  }

  /** The worker config; only for kinds that have a worker. */
  public WorkerConfig requireWorker() {
    return worker.orElseThrow(() -> new IllegalStateException(kind.label() + " has no worker"));
  }

  /** The NATS settings; only when NATS is configured. */
  public NatsSettings requireNats() {
    return nats.orElseThrow(() -> new IllegalStateException(kind.label() + " has no NATS"));
  }
}
