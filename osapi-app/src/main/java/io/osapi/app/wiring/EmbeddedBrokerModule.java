package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.EmbeddedBackend;
import io.osapi.core.memory.InMemoryBroker;
import java.time.Clock;
import javax.inject.Singleton;

/** The embedded in-memory broker as the backend. */
@Module
public interface EmbeddedBrokerModule {
  /** A new, empty in-memory broker. */
  @Provides
  @Singleton
  static Backend backend(Clock clock) {
    return embedded(clock);
  }

  /** The embedded backend (also used by the all-in-one process's backend choice). */
  static Backend embedded(Clock clock) {
    return new EmbeddedBackend(InMemoryBroker.create(clock));
  }
}
