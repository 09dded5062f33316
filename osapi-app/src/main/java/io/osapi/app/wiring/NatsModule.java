package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.adapter.nats.NatsBackend;
import io.osapi.adapter.nats.NatsSettings;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.NatsBackendHandle;
import io.osapi.core.port.JobMetrics;
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
  static Backend backend(ProcessSettings settings, JobMetrics metrics) {
    return nats(settings.requireNats(), metrics);
  }

  /** Connects (also used by the all-in-one process's backend choice). */
  static Backend nats(NatsSettings settings, JobMetrics metrics) {
    try {
      return new NatsBackendHandle(NatsBackend.connect(settings, metrics));
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--nats", e.getMessage());
    }
  }
}
