package io.osapi.app.wiring;

import dagger.BindsInstance;
import dagger.Component;
import io.osapi.app.config.ProcessSettings;
import javax.inject.Singleton;

/**
 * {@link TestAppComponent} with the real metrics adapter: the module lists differ in one line,
 * {@link OtelModule} instead of {@link RecordingMetricsModule}.
 */
@Singleton
@Component(
    modules = {
      CoreModule.class,
      ControllerModule.class,
      WorkerModule.class,
      EmbeddedBrokerModule.class,
      OtelModule.class, // the one line that differs from TestAppComponent
      HttpModule.class,
      AllInOneComponent.Assembly.class
    })
public interface OtelTestAppComponent extends TestComponent {
  /** Builds the component. */
  @Component.Builder
  interface Builder {
    /** The settings. */
    @BindsInstance
    Builder settings(ProcessSettings settings);

    /** The component. */
    OtelTestAppComponent build();
  }
}
