package io.osapi.app.config;

import io.osapi.adapter.nats.NatsSettings;
import io.osapi.core.service.WorkerConfig;
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
 */
public record ProcessSettings(
    ProcessKind kind,
    Optional<NatsSettings> nats,
    Optional<ApiSettings> api,
    MetricsSettings metrics,
    Optional<WorkerConfig> worker,
    LifecycleSettings lifecycle) {
  /** Checks that each kind has the parts it needs, and that separate processes have NATS. */
  public ProcessSettings {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(nats, "nats");
    Objects.requireNonNull(api, "api");
    Objects.requireNonNull(metrics, "metrics");
    Objects.requireNonNull(worker, "worker");
    Objects.requireNonNull(lifecycle, "lifecycle");
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
