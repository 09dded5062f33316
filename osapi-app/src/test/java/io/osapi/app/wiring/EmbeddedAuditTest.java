package io.osapi.app.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.config.AuditSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.audit.InMemoryAuditLog;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The all-in-one process's embedded audit ring takes its capacity from the settings. */
class EmbeddedAuditTest {
  @Test
  void theEmbeddedBrokersRingHasTheConfiguredCapacity() {
    Backend b = EmbeddedBrokerModule.embedded(Clock.systemUTC(),
        TestApp.settings(Optional.empty(), 65536)
            .withAudit(new AuditSettings(Duration.ofHours(2), 3)));
    assertThat(b.audit()).isInstanceOf(InMemoryAuditLog.class);
    assertThat(((InMemoryAuditLog) b.audit()).capacity()).isEqualTo(3);
    assertThat(b.describe()).contains("the last 3 audit records");
    for (int i = 0; i < 5; i++) {
      b.audit().append(new AuditRecord("r" + i, Instant.now(), "alice", List.of(), "x", "POST",
          "/api/v1/jobs", Map.of(), null, null, 201, 1L, "r" + i, null)).join();
    }
    assertThat(b.audit().list(AuditQuery.newest(10)).items()).extracting(AuditRecord::id)
        .containsExactly("r4", "r3", "r2");
    assertThat(ControllerModule.audit(b)).isSameAs(b.audit());
  }
}
