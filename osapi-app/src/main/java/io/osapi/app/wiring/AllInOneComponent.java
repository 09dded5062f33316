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
import io.osapi.app.runtime.WorkerRunner;
import java.util.List;
import javax.inject.Named;
import javax.inject.Singleton;

/**
 * Controller and one worker in one JVM, sharing one metrics backend (one {@code /metrics} with
 * both sides' families), on the embedded broker or NATS.
 */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      ControllerModule.class,
      WorkerModule.class,
      AllInOneBackendModule.class,
      OtelModule.class,
      HttpModule.class,
      AllInOneComponent.Assembly.class
    })
public interface AllInOneComponent {
  /** The process. */
  AppProcess process();

  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The validated settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    AllInOneComponent build();
  }

  /** The all-in-one parts in start order. */
  @Module
  interface Assembly {
    /**
     * Metrics endpoint, worker, refresher, then the API; so a stop ends the API first, then the
     * worker drains, then the endpoint closes.
     */
    @Provides
    static AppProcess process(
        MetricsEndpoint metrics,
        WorkerRunner worker,
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
          ProcessKind.ALL_IN_ONE,
          List.of(metrics, worker, index, reconciler, scheduler, rollouts, refresher, deadLetters, timeouts, api),
          backend,
          shutdown,
          readiness,
          lifecycle);
    }
  }
}
