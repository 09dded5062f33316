package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.JobIndexRunner;
import io.osapi.app.runtime.ReadinessMonitor;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobTracing;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.JobIndex;
import java.time.Clock;
import javax.inject.Singleton;

/**
 * The core: clock, operation registry, the ports (from whichever {@link Backend} the component
 * has), the job client, the settings parts and the process readiness.
 */
@Module
public interface CoreModule {
  /** UTC system time. */
  @Provides
  static Clock clock() {
    return Clock.systemUTC();
  }

  /** The built-in operations, the host operations within the worker's limits. */
  @Provides
  static OperationRegistry operations(ProcessSettings settings) {
    return BuiltinOperations.registry(settings.hostOperations().limits());
  }

  /** The job store of the backend. */
  @Provides
  static JobStore store(Backend backend) {
    return backend.store();
  }

  /** The job queue of the backend. */
  @Provides
  static JobQueue queue(Backend backend) {
    return backend.queue();
  }

  /** The worker registry of the backend. */
  @Provides
  static WorkerRegistry registry(Backend backend) {
    return backend.registry();
  }

  /**
   * The job index listings and stats read (started by the {@link JobIndexRunner} of the
   * processes that have a job client), with the store's retention.
   */
  @Provides
  @Singleton
  static JobIndex jobIndex(JobStore store, Clock clock) {
    return new JobIndex(clock, store.retention());
  }

  /** Keeps the job index. */
  @Provides
  @Singleton
  static JobIndexRunner jobIndexRunner(
      JobIndex index, JobStore store, FleetMetrics metrics, LifecycleSettings lifecycle,
      OperationRegistry operations) {
    return new JobIndexRunner(index, store, metrics, lifecycle.readinessInterval(),
        operations.types());
  }

  /**
   * The job client; broadcast targets must match a registered worker, and have the API's default
   * job timeout; creates are held for the API's create patience. One per process: the API, the
   * batch and schedule routes, the idempotency keys and the scheduler share its create path, its
   * retry threads and its reading of the registry.
   */
  @Provides
  @Singleton
  static JobClient jobClient(
      Backend backend,
      OperationRegistry operations,
      JobMetrics metrics,
      JobTracing tracing,
      Clock clock,
      JobIndex index,
      ProcessSettings settings) {
    JobClient.Builder b = JobClient.builder(backend, operations);
    settings.jobKeys().signer().ifPresent(b::signer);
    return b
        .metrics(metrics)
        .tracing(tracing)
        .clock(clock)
        .defaultTimeout(
            settings.api().map(ApiSettings::jobTimeout).orElse(JobClient.DEFAULT_TIMEOUT))
        .index(index)
        .createPatience(settings.api().map(ApiSettings::createPatience)
            .orElse(JobClient.DEFAULT_CREATE_PATIENCE))
        .build();
  }

  /** Drain and refresh timing. */
  @Provides
  static LifecycleSettings lifecycle(ProcessSettings settings) {
    return settings.lifecycle();
  }

  /** The metrics endpoint settings. */
  @Provides
  static MetricsSettings metricsSettings(ProcessSettings settings) {
    return settings.metrics();
  }

  /** The process readiness, shared by the process and {@code /health/ready}. */
  @Provides
  @Singleton
  static ReadinessMonitor readiness(Backend backend, HealthMetrics metrics) {
    return new ReadinessMonitor(backend, metrics);
  }
}
