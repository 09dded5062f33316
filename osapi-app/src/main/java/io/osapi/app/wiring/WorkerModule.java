package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.config.WorkerKeyFile;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.WorkerRunner;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobTracing;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerService;
import java.time.Clock;
import javax.inject.Singleton;

/** The process's worker. */
@Module
public interface WorkerModule {
  /** The worker configuration; only processes with a worker ask for it. */
  @Provides
  static WorkerConfig workerConfig(ProcessSettings settings) {
    return settings.requireWorker();
  }

  /** The worker service. */
  @Provides
  @Singleton
  static WorkerService worker(
      WorkerConfig config,
      Backend backend,
      OperationRegistry operations,
      JobMetrics metrics,
      JobTracing tracing,
      Clock clock,
      ProcessSettings settings) {
    WorkerService.Builder b = WorkerService.builder(config, backend, operations).metrics(metrics)
        .tracing(tracing).clock(clock);
    settings.workerKeyFile()
        .map(f -> WorkerKeyFile.loadOrCreate("--worker-key-file", f)).ifPresent(b::key);
    settings.jobKeys().verifier().ifPresent(b::verifier);
    if (settings.jobKeys().verifier().isEmpty()) {
      operations.definitions().stream()
          .filter(d -> d.privileged() && config.allowed().allows(d)).findFirst()
          .ifPresent(d -> System.getLogger(WorkerModule.class.getName()).log(
              System.Logger.Level.WARNING, "--allow-operations allows privileged operation {0},"
              + " but without --job-verify-key-file every privileged job is refused",
              d.type()));
    }
    return b.build();
  }

  /** Starts the worker once the backend is connected; drains it on stop. */
  @Provides
  static WorkerRunner runner(WorkerService worker, Backend backend) {
    return new WorkerRunner(worker, backend);
  }
}
