package io.osapi.core.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.contract.IdempotencyKeysContract;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.domain.IdempotencyRecord;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.port.IdempotencyKeys;
import io.osapi.core.domain.JobId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The contract on the in-memory keys, and the key and record values. */
class InMemoryIdempotencyKeysTest extends IdempotencyKeysContract {
  @Override
  protected IdempotencyKeys newStore(Duration window) {
    return new InMemoryIdempotencyKeys(window, Clock.systemUTC());
  }

  @Test
  void aKeyIsOneTo255PrintableCharacters() {
    assertThat(new IdempotencyKey("a").value()).isEqualTo("a");
    assertThat(new IdempotencyKey("x".repeat(255)).value()).hasSize(255);
    assertThatThrownBy(() -> new IdempotencyKey("")).isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("empty");
    assertThatThrownBy(() -> new IdempotencyKey("x".repeat(256)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("255");
    assertThatThrownBy(() -> new IdempotencyKey("a\nb"))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("printable");
  }

  @Test
  void theSameKeyOfTwoCallersIsKeptApart() {
    IdempotencyKey k = new IdempotencyKey("k-1");
    assertThat(k.storeKey("alice")).matches("[0-9a-f]{64}").isNotEqualTo(k.storeKey("bob"));
    assertThat(k.storeKey("alice")).isEqualTo(new IdempotencyKey("k-1").storeKey("alice"));
    // the separator keeps subject and key apart: ("a", "b\nc") is not ("a\nb", "c")
    assertThat(new IdempotencyKey("b c").storeKey("a"))
        .isNotEqualTo(new IdempotencyKey("c").storeKey("a b"));
  }

  @Test
  void theHashOfARequestCoversEveryField() {
    String h = IdempotencyRecord.hash("diag.echo", "{\"a\":1}", "_all", Duration.ofSeconds(30));
    assertThat(IdempotencyRecord.hash("diag.echo", "{\"a\":1}", "_all",
        Duration.ofSeconds(30))).isEqualTo(h);
    assertThat(IdempotencyRecord.hash("diag.sleep", "{\"a\":1}", "_all",
        Duration.ofSeconds(30))).isNotEqualTo(h);
    assertThat(IdempotencyRecord.hash("diag.echo", "{\"a\":2}", "_all",
        Duration.ofSeconds(30))).isNotEqualTo(h);
    assertThat(IdempotencyRecord.hash("diag.echo", "{\"a\":1}", null,
        Duration.ofSeconds(30))).isNotEqualTo(h);
    assertThat(IdempotencyRecord.hash("diag.echo", "{\"a\":1}", "_all",
        null)).isNotEqualTo(h);
  }

  @Test
  void aRecordRoundTripsAsJson() {
    IdempotencyRecord r = IdempotencyRecord.reservation("f".repeat(64),
        JobId.parse("0193a0a0-0000-7000-8000-000000000001"),
        Instant.parse("2026-12-06T03:00:00.123Z"));
    assertThat(IdempotencyRecord.fromJson(r.toJson())).isEqualTo(r);
    IdempotencyRecord a = r.answered(201, "{\"x\":\"\\u00e9\"}");
    assertThat(IdempotencyRecord.fromJson(a.toJson())).isEqualTo(a);
  }

  @Test
  void expiredKeysAreDroppedFromTheOldest() {
    Instant[] now = {Instant.parse("2026-12-06T03:00:00Z")};
    Clock clock = new Clock() {
      @Override public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override public Instant instant() {
        return now[0];
      }
    };
    InMemoryIdempotencyKeys keys = new InMemoryIdempotencyKeys(Duration.ofHours(24), clock);
    IdempotencyRecord r = IdempotencyRecord.reservation("f".repeat(64),
        JobId.parse("0193a0a0-0000-7000-8000-000000000001"), now[0]);
    long old = keys.create("old", r);
    now[0] = now[0].plus(Duration.ofHours(12));
    keys.create("young", r);
    keys.update("old", r.answered(201, "{}"), old); // its last write is now: kept 24 h more
    now[0] = now[0].plus(Duration.ofHours(13));
    assertThat(keys.get("old")).as("written 13 h ago").isPresent();
    assertThat(keys.get("young")).as("written 13 h ago").isPresent();
    now[0] = now[0].plus(Duration.ofHours(11));
    assertThat(keys.get("young")).as("written 24 h ago").isEmpty();
    assertThat(keys.get("old")).isEmpty();
  }
}
