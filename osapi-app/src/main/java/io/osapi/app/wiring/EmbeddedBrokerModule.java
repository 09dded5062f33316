package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.AuditSettings;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.EmbeddedBackend;
import io.osapi.core.audit.InMemoryAuditLog;
import io.osapi.core.memory.InMemoryBroker;
import java.time.Clock;
import javax.inject.Singleton;

/** The embedded in-memory broker as the backend. */
@Module
public interface EmbeddedBrokerModule {
  /** A new, empty in-memory broker that keeps jobs as long as the settings say. */
  @Provides
  @Singleton
  static Backend backend(ProcessSettings settings, Clock clock) {
    return embedded(clock, settings);
  }

  /**
   * The embedded backend of the settings' job retention and bound, and an audit ring of their
   * capacity and retention (also used by the all-in-one process's backend choice).
   */
  static Backend embedded(Clock clock, ProcessSettings settings) {
    AuditSettings audit = settings.audit();
    return new EmbeddedBackend(InMemoryBroker.create(clock, settings.jobRetention(),
        settings.embeddedLimits()).withAudit(
            new InMemoryAuditLog(clock, audit.embeddedCapacity(), audit.retention())));
  }
}
