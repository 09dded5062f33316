package io.osapi.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.AuditLogContract;
import io.osapi.core.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class InMemoryAuditLogTest extends AuditLogContract {
  @Override
  protected AuditLog newLog() {
    return new InMemoryAuditLog();
  }

  @Test
  void keepsTheNewestCapacityRecords() {
    InMemoryAuditLog ring = new InMemoryAuditLog(Clock.systemUTC(), 3, Duration.ZERO);
    AuditRecord a = record("a", "/r", 0);
    AuditRecord b = record("b", "/r", 1);
    AuditRecord c = record("c", "/r", 2);
    AuditRecord d = record("d", "/r", 3);
    for (AuditRecord r : List.of(a, b, c, d)) {
      ring.append(r).join();
    }
    assertThat(ring.size()).isEqualTo(3);
    assertThat(ring.list(AuditQuery.newest(10)).items()).containsExactly(d, c, b);
    // the id of a dropped record is forgotten with it: its final record is stored anew
    AuditRecord a2 = a.completed(500, 1);
    ring.append(a2).join();
    assertThat(ring.list(AuditQuery.newest(10)).items()).containsExactly(a2, d, c);
  }

  @Test
  void dropsRecordsOlderThanTheMaxAge() {
    ManualClock clock = new ManualClock(Instant.parse("2026-01-01T00:00:00Z"));
    InMemoryAuditLog ring = new InMemoryAuditLog(clock, 100, Duration.ofHours(1));
    AuditRecord old = record("a", "/r", 0);
    ring.append(old).join();
    clock.advance(Duration.ofMinutes(59));
    AuditRecord young = record("b", "/r", 1);
    ring.append(young).join();
    assertThat(ring.list(AuditQuery.newest(10)).items()).containsExactly(young, old);

    clock.advance(Duration.ofMinutes(2));

    assertThat(ring.list(AuditQuery.newest(10)).items()).containsExactly(young);
    assertThat(ring.export(Instant.EPOCH, r -> { })).isEqualTo(1);
  }

  @Test
  void aFilteredPageLooksAtTheScanBudgetAtMostAndSaysWhereToGoOn() {
    InMemoryAuditLog ring = new InMemoryAuditLog();
    ring.append(record("needle", "/r", 0)).join();
    for (int i = 0; i < InMemoryAuditLog.SCAN_BUDGET + 5; i++) {
      ring.append(record("hay", "/r", 1)).join();
    }
    var first = ring.list(new AuditQuery("needle", null, null, null, 10, null));
    assertThat(first.items()).isEmpty();
    assertThat(first.next()).isNotNull();
    var second = ring.list(new AuditQuery("needle", null, null, null, 10, first.next()));
    assertThat(second.items()).extracting(AuditRecord::subject).containsExactly("needle");
    assertThat(second.next()).isNull();
  }

  @Test
  void refusesABadCapacity() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
        () -> new InMemoryAuditLog(Clock.systemUTC(), 0, Duration.ZERO))
        .hasMessageContaining("capacity");
  }
}
