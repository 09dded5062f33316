package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.EmbeddedBackend;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.memory.StoreLimits;
import java.time.Clock;
import java.time.Duration;
import javax.inject.Singleton;

/** The embedded in-memory broker as the backend. */
@Module
public interface EmbeddedBrokerModule {
  /** A new, empty in-memory broker that keeps jobs as long as the settings say. */
  @Provides
  @Singleton
  static Backend backend(ProcessSettings settings, Clock clock) {
    return embedded(clock, settings.jobRetention(), settings.embeddedLimits());
  }

  /** The embedded backend (also used by the all-in-one process's backend choice). */
  static Backend embedded(Clock clock, Duration jobRetention, StoreLimits limits) {
    return new EmbeddedBackend(InMemoryBroker.create(clock, jobRetention, limits));
  }
}
