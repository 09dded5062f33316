package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.adapter.nats.NatsBackend;
import io.osapi.adapter.nats.NatsSettings;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;
import javax.inject.Singleton;

/**
 * NATS as the backend. Connecting waits up to the settings' startup wait; when NATS is not there
 * yet the backend keeps connecting in the background and the process is not ready until it is.
 */
@Module
public interface NatsModule {
  /** The NATS backend of the settings. */
  @Provides
  @Singleton
  static Backend backend(
      ProcessSettings settings, ConnectionMetrics connection, HealthMetrics health) {
    return nats(settings.requireNats(), connection, health);
  }

  /** Connects (also used by the all-in-one process's backend choice). */
  static Backend nats(NatsSettings settings, ConnectionMetrics connection, HealthMetrics health) {
    try {
      return new NatsBackendHandle(NatsBackend.connect(settings, connection, health));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--nats", e.getMessage());
    }
  }
}
