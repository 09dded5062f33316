package io.osapi.core.contract;

import static io.osapi.core.contract.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.osapi.core.audit.AuditCursor;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link AuditLog} must do: one record per id (the final one replacing the pending
 * one), idempotent appends, newest-first pages with an opaque cursor, filters, and an oldest-first
 * export. An adapter's test extends this class and supplies an empty log (times are whole
 * milliseconds, as the records' JSON keeps them).
 */
public abstract class AuditLogContract {
  /** The log under test, from {@link #newLog()} before each test. */
  protected AuditLog log;

  /** The log to test, empty. */
  protected abstract AuditLog newLog();

  /**
   * A log whose store cannot be reached (NATS down), or null when the implementation has none
   * (the in-memory ring); such a log's appends fail and its reads throw.
   */
  protected AuditLog unreachableLog() {
    return null;
  }

  @BeforeEach
  void setUpLog() {
    log = newLog();
  }

  private static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);

  /** A final record at {@code T0 + seconds}. */
  protected static AuditRecord record(String subject, String route, long seconds) {
    return pending(subject, route, seconds).completed(200, 12);
  }

  /** A pending record at {@code T0 + seconds}. */
  protected static AuditRecord pending(String subject, String route, long seconds) {
    String id = UUID.randomUUID().toString();
    return new AuditRecord(id, T0.plusSeconds(seconds), subject, List.of("write"),
        "127.0.0.1:50000", "POST", route, Map.of("job", UUID.randomUUID().toString()),
        "diag.echo", "_any", null, null, id, null);
  }

  private void append(AuditRecord... records) {
    for (AuditRecord r : records) {
      await(log.append(r));
    }
  }

  /** Every record of the query, following the cursors (pages may be short). */
  protected List<AuditRecord> all(AuditQuery q) {
    List<AuditRecord> out = new ArrayList<>();
    AuditQuery at = q;
    for (int pages = 0; pages < 10_000; pages++) {
      AuditPage p = log.list(at);
      assertThat(p.items().size()).isLessThanOrEqualTo(q.limit());
      out.addAll(p.items());
      if (p.next() == null) {
        return out;
      }
      at = new AuditQuery(q.subject(), q.since(), q.until(), q.route(), q.limit(), p.next());
    }
    throw new AssertionError("cursors never ended");
  }

  private static List<String> ids(List<AuditRecord> records) {
    return records.stream().map(AuditRecord::id).toList();
  }

  private static AuditQuery query(String subject, Instant since, Instant until, String route) {
    return new AuditQuery(subject, since, until, route, 100, null);
  }

  @Test
  void listsNewestFirstAsAppended() {
    AuditRecord a = record("alice", "/api/v1/jobs", 0);
    AuditRecord b = record("bob", "/api/v1/jobs", 1);
    AuditRecord c = record("carol", "/api/v1/jobs/{id}", 2);
    append(a, b, c);

    AuditPage page = log.list(AuditQuery.newest(10));

    assertThat(page.items()).containsExactly(c, b, a);
    assertThat(page.next()).isNull();
    assertThat(all(AuditQuery.newest(2))).containsExactly(c, b, a);
  }

  @Test
  void aRecordReadBackEqualsTheOneAppended() {
    AuditRecord odd = new AuditRecord("odd-1", T0, "ärger \"quoted\" \\ 日本 😀", List.of(),
        "[::1]:8080", "DELETE", "/api/v1/jobs/{id}", Map.of("job", "j\n1", "worker", "w.01"),
        null, null, null, null, "req\t1", "4bf92f3577b34da6a3ce929d0e0e4736");
    append(odd);
    assertThat(log.list(AuditQuery.newest(1)).items()).containsExactly(odd);
  }

  @Test
  void theFinalRecordReplacesThePendingOneAndBecomesNewest() {
    AuditRecord p = pending("alice", "/api/v1/jobs", 0);
    AuditRecord other = record("bob", "/api/v1/jobs", 1);
    append(p, other);
    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(other, p);

    AuditRecord f = p.completed(201, 35);
    append(f);

    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(f, other);
    assertThat(all(query("alice", null, null, null))).containsExactly(f);
  }

  @Test
  void aDuplicateAppendIsStoredOnce() {
    AuditRecord p = pending("alice", "/api/v1/jobs", 0);
    append(p, p);
    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(p);

    AuditRecord f = p.completed(202, 5);
    append(f, f);
    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(f);

    append(p); // a pending record sent again late never takes the final one's place
    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(f);
  }

  @Test
  void aPendingRecordNeverReplacesItsFinalOneEvenWhenItComesFirstAfterIt() {
    AuditRecord p = pending("alice", "/api/v1/jobs", 0);
    AuditRecord f = p.completed(200, 9);
    append(f); // the pending append was lost on the way, or is late
    append(p);
    assertThat(log.list(AuditQuery.newest(10)).items()).containsExactly(f);
    List<AuditRecord> out = new ArrayList<>();
    log.export(T0.minusSeconds(60), out::add);
    assertThat(out).containsExactly(f);
  }

  @Test
  void concurrentDuplicatesAreStoredOnce() throws Exception {
    List<AuditRecord> records = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      records.add(record("s" + i, "/api/v1/jobs", i));
    }
    List<CompletableFuture<Void>> fs = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (AuditRecord r : records) {
        fs.add(CompletableFuture.runAsync(() -> await(log.append(r))));
      }
    }
    CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

    List<AuditRecord> stored = all(AuditQuery.newest(AuditQuery.MAX_LIMIT));
    assertThat(stored).hasSize(50).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  void filtersBySubjectSinceUntilAndRouteAlone() {
    AuditRecord a0 = record("alice", "/api/v1/jobs", 0);
    AuditRecord b1 = record("bob", "/api/v1/jobs/{id}", 10);
    AuditRecord a2 = record("alice", "/api/v1/jobs/{id}", 20);
    AuditRecord b3 = record("bob", "/api/v1/jobs", 30);
    append(a0, b1, a2, b3);

    assertThat(all(query("alice", null, null, null))).containsExactly(a2, a0);
    assertThat(all(query("nobody", null, null, null))).isEmpty();
    assertThat(all(query(null, T0.plusSeconds(10), null, null))).containsExactly(b3, a2, b1);
    assertThat(all(query(null, null, T0.plusSeconds(20), null))).containsExactly(b1, a0);
    assertThat(all(query(null, null, null, "/api/v1/jobs"))).containsExactly(b3, a0);
    assertThat(all(query(null, null, null, null))).containsExactly(b3, a2, b1, a0);
  }

  @Test
  void filtersCombine() {
    List<AuditRecord> appended = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      AuditRecord r = record(i % 2 == 0 ? "alice" : "bob",
          i % 3 == 0 ? "/api/v1/jobs" : "/api/v1/workers/{id}/drain", i);
      appended.add(r);
      append(r);
    }
    AuditQuery q = new AuditQuery("alice", T0.plusSeconds(6), T0.plusSeconds(30), "/api/v1/jobs", 2,
        null);
    List<AuditRecord> expected = new ArrayList<>(appended.stream().filter(q::matches).toList());
    java.util.Collections.reverse(expected);

    assertThat(expected).extracting(r -> r.time().getEpochSecond() - T0.getEpochSecond())
        .containsExactly(24L, 18L, 12L, 6L);
    assertThat(all(q)).containsExactlyElementsOf(expected);
  }

  @Test
  void pagesFollowOneAnotherWithoutLossOrDuplicatesWhileAppendsGoOn() throws Exception {
    List<AuditRecord> before = new ArrayList<>();
    for (int i = 0; i < 250; i++) {
      AuditRecord r = record("alice", "/api/v1/jobs", i);
      before.add(r);
      append(r);
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<AuditRecord> during = java.util.Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> appender = CompletableFuture.runAsync(() -> {
      for (int i = 0; !stop.get() && i < 2000; i++) {
        AuditRecord r = record(i % 2 == 0 ? "alice" : "bob", "/api/v1/jobs", 1000 + i);
        await(log.append(r));
        during.add(r);
      }
    });
    List<AuditRecord> seen;
    try {
      Fixtures.eventually(java.time.Duration.ofSeconds(10), () -> during.size() >= 5);
      seen = new ArrayList<>();
      AuditQuery q = AuditQuery.newest(7);
      for (int pages = 0; ; pages++) {
        AuditPage p = log.list(q);
        seen.addAll(p.items());
        if (p.next() == null) {
          break;
        }
        q = new AuditQuery(null, null, null, null, 7, p.next());
      }
    } finally {
      stop.set(true);
      appender.get(30, TimeUnit.SECONDS);
    }

    assertThat(during).as("appends went on while paging").isNotEmpty();
    Set<String> unique = new HashSet<>(ids(seen));
    assertThat(unique).as("no record twice").hasSameSizeAs(seen);
    assertThat(unique).as("every record there before the first page")
        .containsAll(ids(before));
    List<AuditRecord> oldPart = seen.stream().filter(before::contains).toList();
    List<AuditRecord> newestFirst = new ArrayList<>(before);
    java.util.Collections.reverse(newestFirst);
    assertThat(oldPart).containsExactlyElementsOf(newestFirst);
    assertThat(seen.subList(seen.size() - 250, seen.size())).containsExactlyElementsOf(newestFirst);
  }

  @Test
  void aCursorThisLogDidNotHandOutIsRefusedNamingTheCursor() {
    append(record("alice", "/api/v1/jobs", 0));
    for (String bad : List.of("x", "!!!", "null", " ", b64("audit:0"), b64("audit:-1"),
        b64("audit:01"), b64("audit:1x"), b64("job:5"), b64("audit:99999999999999999999"),
        AuditCursor.before(5) + "=", AuditCursor.before(5) + "A", "a".repeat(500))) {
      assertThatThrownBy(() -> log.list(new AuditQuery(null, null, null, null, 10, bad)))
          .as("cursor %s", bad)
          .isInstanceOf(InvalidInputException.class)
          .satisfies(e -> assertThat(((InvalidInputException) e).field()).isEqualTo("cursor"));
    }
    // positive control: a cursor it handed out works
    append(record("alice", "/api/v1/jobs", 1));
    AuditPage first = log.list(AuditQuery.newest(1));
    assertThat(log.list(new AuditQuery(null, null, null, null, 10, first.next())).items())
        .hasSize(1);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Test
  void exportsOldestFirstFromATime() {
    AuditRecord r0 = record("alice", "/api/v1/jobs", 0);
    AuditRecord r1 = record("bob", "/api/v1/jobs", 10);
    AuditRecord p2 = pending("carol", "/api/v1/jobs", 20);
    AuditRecord r3 = record("dave", "/api/v1/jobs", 30);
    append(r0, r1, p2, r3);
    AuditRecord f2 = p2.completed(204, 3);
    append(f2);

    List<AuditRecord> out = new ArrayList<>();
    long n = log.export(T0.plusSeconds(10), out::add);

    assertThat(out).containsExactly(r1, r3, f2);
    assertThat(n).isEqualTo(3);
    List<AuditRecord> everything = new ArrayList<>();
    assertThat(log.export(T0.minusSeconds(3600), everything::add)).isEqualTo(4);
    assertThat(everything).containsExactly(r0, r1, r3, f2);
    assertThat(log.export(T0.plusSeconds(31), r -> { })).isZero();
    assertThat(log.export(Instant.MIN, r -> { })).as("since the beginning of time").isEqualTo(4);
  }

  @Test
  void appendNeverThrows() {
    CompletableFuture<Void> f = log.append(null);
    assertThat(f).isCompletedExceptionally();
    assertThat(log.list(AuditQuery.newest(10)).items()).isEmpty();
  }

  @Test
  void anUnreachableStoreFailsAppendsAndReads() {
    AuditLog down = unreachableLog();
    assumeTrue(down != null, "this log has no store to lose");
    CompletableFuture<Void> f = down.append(record("alice", "/api/v1/jobs", 0));
    assertThatThrownBy(() -> f.get(30, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(BackendUnavailableException.class);
    assertThatThrownBy(() -> down.list(AuditQuery.newest(10)))
        .isInstanceOf(BackendUnavailableException.class);
    assertThatThrownBy(() -> down.export(T0, r -> { }))
        .isInstanceOf(BackendUnavailableException.class);
  }
}
