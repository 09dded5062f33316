package io.osapi.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import dagger.Module;
import dagger.Provides;
import io.osapi.app.api.ApiServer;
import io.osapi.app.config.ProcessKind;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.AppProcess;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.ControllerRefresher;
import io.osapi.app.runtime.JobIndexRunner;
import io.osapi.app.runtime.RolloutRunner;
import io.osapi.app.runtime.SchedulerRunner;
import io.osapi.app.runtime.SubmitReconcilerRunner;
import io.osapi.app.runtime.QueueListenerRunner;
import io.osapi.app.runtime.MetricsEndpoint;
import io.osapi.app.runtime.MetricsShutdown;
import io.osapi.app.runtime.ReadinessMonitor;
import java.util.List;
import javax.inject.Named;
import javax.inject.Singleton;

/** The controller: REST API, job client, background refresher and metrics, on NATS. */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      ControllerModule.class,
      NatsModule.class,
      OtelModule.class,
      HttpModule.class,
      ControllerComponent.Assembly.class
    })
public interface ControllerComponent {
  /** The process. */
  AppProcess process();

  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The validated settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    ControllerComponent build();
  }

  /** The controller's parts in start order. */
  @Module
  interface Assembly {
    /** Metrics endpoint, job index, refresher, then the API (stopped first). */
    @Provides
    static AppProcess process(
        MetricsEndpoint metrics,
        JobIndexRunner index,
        SubmitReconcilerRunner reconciler,
        SchedulerRunner scheduler,
        RolloutRunner rollouts,
        ControllerRefresher refresher,
        @Named("deadLetters") QueueListenerRunner deadLetters,
        @Named("timeouts") QueueListenerRunner timeouts,
        ApiServer api,
        Backend backend,
        MetricsShutdown shutdown,
        ReadinessMonitor readiness,
        LifecycleSettings lifecycle) {
      return new AppProcess(
          ProcessKind.CONTROLLER, List.of(metrics, index, reconciler, scheduler, rollouts, refresher, deadLetters, timeouts, api), backend, shutdown, readiness, lifecycle);
    }
  }
}
