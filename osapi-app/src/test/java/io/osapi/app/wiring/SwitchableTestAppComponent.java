package io.osapi.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import io.osapi.app.config.ProcessSettings;
import io.osapi.core.testing.RecordingJobMetrics;
import javax.inject.Singleton;

/** {@link TestAppComponent} whose backend starts disconnected and can be switched on. */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      ControllerModule.class,
      WorkerModule.class,
      SwitchableBackendModule.class,
      RecordingMetricsModule.class,
      HttpModule.class,
      AllInOneComponent.Assembly.class
    })
public interface SwitchableTestAppComponent extends TestComponent {
  /** The recorder behind {@code JobMetrics}. */
  RecordingJobMetrics metrics();

  /** The switch. */
  SwitchableBackend switchable();

  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    SwitchableTestAppComponent build();
  }
}
