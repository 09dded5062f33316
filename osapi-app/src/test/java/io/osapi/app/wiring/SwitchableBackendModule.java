package io.osapi.app.wiring;

import dagger.Binds;
import dagger.Module;
import dagger.Provides;
import io.osapi.app.runtime.Backend;
import java.time.Clock;
import javax.inject.Singleton;

/** Test backend module: a {@link SwitchableBackend} that starts disconnected. */
@Module
public interface SwitchableBackendModule {
  /** Starts switched off, like a NATS server that is not up yet. */
  @Provides
  @Singleton
  static SwitchableBackend switchable(Clock clock) {
    return new SwitchableBackend(clock, false);
  }

  /** It is the backend. */
  @Binds
  Backend backend(SwitchableBackend b);
}
