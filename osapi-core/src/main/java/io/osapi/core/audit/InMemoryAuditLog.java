package io.osapi.core.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The embedded broker's audit log: a bounded ring in memory, ordered by append as the NATS stream
 * is. Past {@link #capacity()} records the oldest appended is dropped; with a max age, records
 * appended longer ago than it are dropped too. The final record of an id takes the place of its
 * pending one and, like a new message of the stream, becomes the newest. A pending record appended
 * again while its id is held (pending or final) changes nothing, and so does a second final record
 * of an id: the first final one stays.
 *
 * <p>It lives beside the port rather than in {@code io.osapi.core.memory} so that {@code
 * Broker.of} can give a broker of three ports a ring of its own (ports depend on the domain and
 * the audit port only).
 *
 * <p>Thread-safe; appends complete at once. An unfiltered page costs its length (plus a tree
 * look-up); a filtered one looks at {@link #SCAN_BUDGET} records at most and then returns what it
 * found, with a cursor to go on. Records live in this process only.
 */
public final class InMemoryAuditLog implements AuditLog {
  /** The embedded broker's capacity unless told otherwise ({@code --embedded-audit-capacity}). */
  public static final int DEFAULT_CAPACITY = 100_000;

  /** The largest capacity: 10,000,000 records (a few GiB of heap). */
  public static final int MAX_CAPACITY = 10_000_000;

  /** Records one {@link #list} call looks at, at most. */
  public static final int SCAN_BUDGET = 10_000;

  private record Entry(AuditRecord record, Instant appended) {}

  private final Clock clock;
  private final int capacity;
  private final Duration maxAge;
  private final NavigableMap<Long, Entry> byPosition = new TreeMap<>(); // guarded by this
  private final Map<String, Long> positionOf = new HashMap<>(); // guarded by this
  private long lastPosition; // guarded by this

  /** A ring of {@link #DEFAULT_CAPACITY} records, no max age. */
  public InMemoryAuditLog() {
    this(Clock.systemUTC(), DEFAULT_CAPACITY, Duration.ZERO);
  }

  /**
   * A ring of {@code capacity} records.
   *
   * @param clock when records are appended, for the max age
   * @param capacity records kept at most, 1 to {@link #MAX_CAPACITY}
   * @param maxAge how long a record is kept after its last append, zero for as long as there is
   *     room
   */
  public InMemoryAuditLog(Clock clock, int capacity, Duration maxAge) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (capacity < 1 || capacity > MAX_CAPACITY) {
      throw new IllegalArgumentException("audit capacity must be between 1 and " + MAX_CAPACITY
          + ", got " + capacity);
    }
    this.capacity = capacity;
    this.maxAge = Objects.requireNonNull(maxAge, "maxAge");
    if (maxAge.isNegative()) {
      throw new IllegalArgumentException("audit max age must not be negative");
    }
  }

  /** Records kept at most. */
  public int capacity() {
    return capacity;
  }

  /** How many records are held now. */
  public synchronized int size() {
    expire();
    return byPosition.size();
  }

  @Override
  public CompletableFuture<Void> append(AuditRecord record) {
    try {
      Objects.requireNonNull(record, "record");
      store(record);
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private synchronized void store(AuditRecord record) {
    expire();
    Long held = positionOf.get(record.id());
    if (held != null) {
      if (record.pending() || !byPosition.get(held).record().pending()) {
        return; // stored already: a pending record never replaces anything, a final one once
      }
      byPosition.remove(held);
    }
    long p = ++lastPosition;
    byPosition.put(p, new Entry(record, clock.instant()));
    positionOf.put(record.id(), p);
    while (byPosition.size() > capacity) {
      drop(byPosition.pollFirstEntry());
    }
  }

  @Override
  public AuditPage list(AuditQuery query) {
    long before = query.cursor() == null ? Long.MAX_VALUE : AuditCursor.position(query.cursor());
    List<AuditRecord> items = new ArrayList<>();
    synchronized (this) {
      expire();
      int scanned = 0;
      long last = 0;
      for (Map.Entry<Long, Entry> e : byPosition.headMap(before, false).descendingMap()
          .entrySet()) {
        if (items.size() == query.limit() || scanned == SCAN_BUDGET) {
          return new AuditPage(items, AuditCursor.before(last));
        }
        scanned++;
        last = e.getKey();
        if (query.matches(e.getValue().record())) {
          items.add(e.getValue().record());
        }
      }
    }
    return new AuditPage(items, null);
  }

  @Override
  public long export(Instant since, Consumer<AuditRecord> sink) {
    Objects.requireNonNull(since, "since");
    List<AuditRecord> out = new ArrayList<>();
    synchronized (this) {
      expire();
      for (Entry e : byPosition.values()) {
        if (!e.record().time().isBefore(since)) {
          out.add(e.record());
        }
      }
    }
    out.forEach(sink);
    return out.size();
  }

  /** Drops the records older than the max age. Call with this held. */
  private void expire() {
    if (maxAge.isZero()) {
      return;
    }
    Instant oldest = clock.instant().minus(maxAge);
    while (!byPosition.isEmpty() && byPosition.firstEntry().getValue().appended().isBefore(oldest)) {
      drop(byPosition.pollFirstEntry());
    }
  }

  private void drop(Map.Entry<Long, Entry> e) {
    positionOf.remove(e.getValue().record().id(), e.getKey());
  }
}
