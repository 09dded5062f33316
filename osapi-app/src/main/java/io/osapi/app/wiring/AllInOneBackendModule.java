package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;
import java.time.Clock;
import javax.inject.Singleton;

/** The all-in-one process's backend: NATS when a URL is configured, else the embedded broker. */
@Module
public interface AllInOneBackendModule {
  /** NATS or the embedded broker, by the settings. */
  @Provides
  @Singleton
  static Backend backend(ProcessSettings settings, ConnectionMetrics connection,
      HealthMetrics health, Clock clock) {
    return settings.nats().isPresent()
        ? NatsModule.nats(settings.requireNats(), connection, health)
        : EmbeddedBrokerModule.embedded(clock, settings);
  }
}
