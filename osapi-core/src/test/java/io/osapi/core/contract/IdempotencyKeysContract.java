package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.port.IdempotencyKeys;
import io.osapi.core.domain.IdempotencyRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What every {@link IdempotencyKeys} must do: a key is taken once (among concurrent takers
 * exactly one wins), read back as written, changed and released only at its revision, and gone
 * once its window has passed since its last write. An adapter's test extends this class.
 */
public abstract class IdempotencyKeysContract {
  private static final Instant T0 = Instant.parse("2026-12-06T03:00:00Z");

  /** An empty store keeping keys for {@code window}. */
  protected abstract IdempotencyKeys newStore(Duration window);

  private static String key(String k) {
    return new IdempotencyKey(k).storeKey("alice");
  }

  private static IdempotencyRecord reservation(String id) {
    return IdempotencyRecord.reservation("a".repeat(64), JobId.parse(id), T0);
  }

  private static final String ID1 = "0193a0a0-0000-7000-8000-000000000001";
  private static final String ID2 = "0193a0a0-0000-7000-8000-000000000002";

  @Test
  void aKeyIsTakenOnceAndReadBackAsWritten() {
    IdempotencyKeys keys = newStore(Duration.ofHours(1));
    assertThat(keys.get(key("k1"))).isEmpty();
    long rev = keys.create(key("k1"), reservation(ID1));
    assertThat(keys.get(key("k1"))).contains(new Versioned<>(reservation(ID1), rev));
    assertThatThrownBy(() -> keys.create(key("k1"), reservation(ID2)))
        .isInstanceOf(RevisionConflictException.class);
    assertThat(keys.get(key("k1")).orElseThrow().value().jobId()).isEqualTo(JobId.parse(ID1));
    assertThat(keys.get(key("k2"))).as("another key").isEmpty();
    assertThat(keys.window()).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void theAnswerIsStoredAtTheReservationsRevisionOnly() {
    IdempotencyKeys keys = newStore(Duration.ofHours(1));
    long rev = keys.create(key("k"), reservation(ID1));
    IdempotencyRecord answered = reservation(ID1).answered(201, "{\"job_id\":\"" + ID1
        + "\",\"note\":\"caf\u00e9 \\\"quoted\\\"\"}");
    long rev2 = keys.update(key("k"), answered, rev);
    assertThat(rev2).isGreaterThan(rev);
    assertThat(keys.get(key("k"))).contains(new Versioned<>(answered, rev2));
    assertThatThrownBy(() -> keys.update(key("k"), answered, rev))
        .as("a stale revision").isInstanceOf(RevisionConflictException.class);
    assertThatThrownBy(() -> keys.update(key("absent"), answered, rev))
        .as("a key not taken").isInstanceOf(RevisionConflictException.class);
  }

  @Test
  void aReleaseAtTheRevisionFreesTheKey() {
    IdempotencyKeys keys = newStore(Duration.ofHours(1));
    long rev = keys.create(key("k"), reservation(ID1));
    assertThat(keys.release(key("k"), rev + 1000)).as("another revision").isFalse();
    assertThat(keys.get(key("k"))).isPresent();
    assertThat(keys.release(key("k"), rev)).isTrue();
    assertThat(keys.get(key("k"))).isEmpty();
    assertThat(keys.release(key("k"), rev)).as("released already").isFalse();
    long again = keys.create(key("k"), reservation(ID2));
    assertThat(keys.get(key("k"))).contains(new Versioned<>(reservation(ID2), again));
  }

  @Test
  void ofConcurrentTakersExactlyOneWins() throws Exception {
    IdempotencyKeys keys = newStore(Duration.ofHours(1));
    int n = 8;
    CountDownLatch go = new CountDownLatch(1);
    AtomicInteger won = new AtomicInteger();
    AtomicInteger lost = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String id = "0193a0a0-0000-7000-8000-00000000001" + i;
      Thread t = new Thread(() -> {
        try {
          go.await();
          keys.create(key("race"), reservation(id));
          won.incrementAndGet();
        } catch (RevisionConflictException e) {
          lost.incrementAndGet();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      });
      t.start();
      threads.add(t);
    }
    go.countDown();
    for (Thread t : threads) {
      t.join();
    }
    assertThat(won.get()).isEqualTo(1);
    assertThat(lost.get()).isEqualTo(n - 1);
  }

  @Test
  void aKeyIsGoneOnceItsWindowHasPassed() {
    IdempotencyKeys keys = newStore(Duration.ofSeconds(1));
    keys.create(key("short"), reservation(ID1));
    assertThat(keys.get(key("short"))).as("positive control: kept within the window")
        .isPresent();
    await().atMost(Duration.ofSeconds(10)).until(() -> keys.get(key("short")).isEmpty());
    long rev = keys.create(key("short"), reservation(ID2));
    assertThat(keys.get(key("short")).orElseThrow().revision()).isEqualTo(rev);
  }
}
