package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.core.port.JobMetrics;
import java.time.Clock;
import javax.inject.Singleton;

/** The all-in-one process's backend: NATS when a URL is configured, else the embedded broker. */
@Module
public interface AllInOneBackendModule {
  /** NATS or the embedded broker, by the settings. */
  @Provides
  @Singleton
  static Backend backend(ProcessSettings settings, JobMetrics metrics, Clock clock) {
    return settings.nats().isPresent()
        ? NatsModule.nats(settings.requireNats(), metrics)
        : EmbeddedBrokerModule.embedded(clock, settings.jobRetention(),
            settings.embeddedLimits());
  }
}
