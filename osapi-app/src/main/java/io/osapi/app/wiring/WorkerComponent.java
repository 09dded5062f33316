package io.osapi.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.AppProcess;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.MetricsEndpoint;
import io.osapi.app.runtime.MetricsShutdown;
import io.osapi.app.runtime.ReadinessMonitor;
import io.osapi.app.runtime.WorkerRunner;
import java.util.List;
import javax.inject.Singleton;

/** A worker with its own metrics, on NATS. */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      WorkerModule.class,
      NatsModule.class,
      OtelModule.class,
      HttpModule.class,
      WorkerComponent.Assembly.class
    })
public interface WorkerComponent {
  /** The process. */
  AppProcess process();

  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The validated settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    WorkerComponent build();
  }

  /** The worker's parts in start order. */
  @Module
  interface Assembly {
    /** Metrics endpoint, then the worker (stopped first: drained before the endpoint closes). */
    @Provides
    static AppProcess process(
        MetricsEndpoint metrics,
        WorkerRunner worker,
        Backend backend,
        MetricsShutdown shutdown,
        ReadinessMonitor readiness,
        LifecycleSettings lifecycle) {
      return new AppProcess(
          ProcessKind.WORKER, List.of(metrics, worker), backend, shutdown, readiness, lifecycle);
    }
  }
}
