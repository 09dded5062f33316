package io.osapi.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import io.osapi.app.config.ProcessSettings;
import io.osapi.core.testing.RecordingJobMetrics;
import javax.inject.Singleton;

/**
 * The all-in-one process for component tests: the production modules and assembly, with the
 * embedded broker in place of NATS and {@link RecordingMetricsModule} in place of {@link
 * OtelModule}.
 */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      ControllerModule.class,
      WorkerModule.class,
      EmbeddedBrokerModule.class, // instead of NatsModule / AllInOneBackendModule
      RecordingMetricsModule.class, // instead of OtelModule
      HttpModule.class,
      AllInOneComponent.Assembly.class
    })
public interface TestAppComponent extends TestComponent {
  /** The recorder behind {@code JobMetrics}. */
  RecordingJobMetrics metrics();

  /** The recorder behind {@code AccessMetrics}. */
  io.osapi.core.testing.RecordingAccessMetrics accessMetrics();

  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    TestAppComponent build();
  }
}
