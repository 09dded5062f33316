package io.osapi.core.memory;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link JobStore} in memory, for embedding, development and tests, with the semantics of the
 * NATS store: every write takes the next number of one store-wide sequence as its revision (like a
 * stream sequence, so revisions are positive and grow), creates need the value to be absent and
 * every other write names the stored revision; a write that does not match changes nothing and
 * completes with {@link RevisionConflictException}.
 *
 * <p>Retention as on NATS: with a retention, a record or run is gone once that long has passed
 * since its last write (reads see it absent at once; its memory is freed by later writes), so the
 * store is bounded by what arrives within one retention. Like KV max age, expiry is silent: a
 * {@link #watch} is not told, its listener ages jobs out by the same rule.
 *
 * <p>Bounded by {@link StoreLimits}: a create is refused with {@link StoreFullException} while
 * the store holds {@code maxJobs} jobs, or when the record would take the estimated bytes of all
 * records and runs past {@code maxBytes} (expired values are freed first). Runs are always
 * written, so jobs accepted can finish; a deleted or expired job frees its share at once. The
 * check is made before each create, so creates racing each other may pass the bound by their own
 * size.
 *
 * <p>Thread-safe: each record and each run is changed atomically on its own key, and watchers hear
 * each job's writes in order, each once a read sees it ({@link StoreWatchers}). Every future is complete when
 * it is returned. Values are kept as given (they are immutable records), so what is read back
 * equals what was written.
 */
public final class InMemoryJobStore implements JobStore {
  private final Clock clock;
  private final long retentionMillis;
  private final StoreLimits limits;
  /** Records held (live or expired but not yet freed). */
  private final AtomicLong jobs = new AtomicLong();
  /** Estimated bytes of the records and runs held. */
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentMap<JobId, Entry<JobRecord>> records = new ConcurrentHashMap<>();
  private final ConcurrentMap<JobId, ConcurrentMap<String, Entry<Run>>> runs =
      new ConcurrentHashMap<>();
  private final StoreWatchers watchers = new StoreWatchers();
  /** Every write in time order, for expiry (only with a retention). Guarded by itself. */
  private final ArrayDeque<Written> writes = new ArrayDeque<>();

  /** A stored value with its revision and write time. */
  private record Entry<T>(T value, long revision, long written, long size) {
    Versioned<T> versioned() {
      return new Versioned<>(value, revision);
    }
  }

  /** A write, for expiry: the run slot, or null for the record. */
  private record Written(long at, JobId job, String slot) {}

  /** A new, empty store that keeps everything, on the system clock. */
  public InMemoryJobStore() {
    this(Clock.systemUTC(), Duration.ZERO);
  }

  /**
   * A new, empty store.
   *
   * @param clock the time of writes, for the retention
   * @param retention how long a value stays after its last write; zero for ever
   */
  public InMemoryJobStore(Clock clock, Duration retention) {
    this(clock, retention, StoreLimits.NONE);
  }

  /**
   * A new, empty, bounded store.
   *
   * @param clock the time of writes, for the retention
   * @param retention how long a value stays after its last write; zero for ever
   * @param limits the size bound of new jobs
   */
  public InMemoryJobStore(Clock clock, Duration retention, StoreLimits limits) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = Objects.requireNonNull(limits, "limits");
    if (retention.isNegative()) {
      throw new IllegalArgumentException("retention must not be negative: " + retention);
    }
    this.retentionMillis = retention.toMillis();
  }

  @Override
  public Duration retention() {
    return Duration.ofMillis(retentionMillis);
  }

  /** The size bound. */
  public StoreLimits limits() {
    return limits;
  }

  /** Jobs held now (expired ones not yet freed included). */
  public long jobCount() {
    return jobs.get();
  }

  /** Estimated bytes of the records and runs held now. */
  public long byteCount() {
    return bytes.get();
  }

  /** {@inheritDoc} Full while a small new job would be refused (expired jobs freed first). */
  @Override
  public io.osapi.core.domain.StoreUsage usage() {
    StoreFullException full = full(0, clock.millis());
    long max = limits.maxBytes() == Long.MAX_VALUE ? 0 : limits.maxBytes();
    return new io.osapi.core.domain.StoreUsage(bytes.get(), max, full != null,
        full == null ? null : full.getMessage());
  }

  private boolean live(Entry<?> e, long now) {
    return e != null && (retentionMillis <= 0 || e.written() + retentionMillis > now);
  }

  @Override
  public CompletableFuture<Long> create(JobRecord record) {
    Objects.requireNonNull(record, "record");
    JobId id = record.job().id();
    long[] written = {0};
    long now = clock.millis();
    long size = Sizes.of(record);
    StoreFullException full = full(size, now);
    if (full != null) {
      return CompletableFuture.failedFuture(full);
    }
    JobWatch.RecordFacts facts = JobWatch.RecordFacts.of(record);
    watchers.write(id, () -> {
      records.compute(id, (k, old) -> {
        if (live(old, now)) {
          return old;
        }
        written[0] = sequence.incrementAndGet();
        if (old == null) {
          jobs.incrementAndGet();
        } else {
          bytes.addAndGet(-old.size());
        }
        bytes.addAndGet(size);
        return new Entry<>(record, written[0], now, size);
      });
      return written[0] != 0;
    }, l -> l.recordWritten(id, facts, now));
    if (written[0] == 0) {
      return CompletableFuture.failedFuture(
          new RevisionConflictException("job " + id + " exists already"));
    }
    noteWrite(now, id, null);
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Optional<Versioned<JobRecord>> find(JobId id) {
    Objects.requireNonNull(id, "id");
    Entry<JobRecord> e = records.get(id);
    return live(e, clock.millis()) ? Optional.of(e.versioned()) : Optional.empty();
  }

  @Override
  public CompletableFuture<Long> update(JobRecord record, long revision) {
    Objects.requireNonNull(record, "record");
    if (revision < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("revision must be positive: " + revision));
    }
    JobId id = record.job().id();
    long[] written = {0};
    long now = clock.millis();
    Object[] result = {null};
    JobWatch.RecordFacts facts = JobWatch.RecordFacts.of(record);
    watchers.write(id, () -> {
      result[0] = records.computeIfPresent(id, (k, old) -> {
        if (!live(old, now) || old.revision() != revision) {
          return old;
        }
        written[0] = sequence.incrementAndGet();
        long size = Sizes.of(record);
        bytes.addAndGet(size - old.size());
        return new Entry<>(record, written[0], now, size);
      });
      return written[0] != 0;
    }, l -> l.recordWritten(id, facts, now));
    @SuppressWarnings("unchecked")
    Entry<JobRecord> stored = (Entry<JobRecord>) result[0];
    if (written[0] == 0) {
      boolean there = live(stored, now);
      return CompletableFuture.failedFuture(new RevisionConflictException("job " + id
          + ": update names revision " + revision + " but "
          + (!there ? "there is no such job" : "the stored revision is " + stored.revision())));
    }
    noteWrite(now, id, null);
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Optional<Versioned<Run>> run(RunKey key) {
    Objects.requireNonNull(key, "key");
    Map<String, Entry<Run>> ofJob = runs.get(key.job());
    Entry<Run> e = ofJob == null ? null : ofJob.get(key.slot());
    return live(e, clock.millis()) ? Optional.of(e.versioned()) : Optional.empty();
  }

  @Override
  public CompletableFuture<Long> putRun(RunKey key, Run run, long revision) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(run, "run");
    if (revision < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("revision must not be negative: " + revision));
    }
    long[] written = {0};
    long now = clock.millis();
    Object[] result = {null};
    long updated = JobWatch.updatedNanos(run);
    watchers.write(key.job(), () -> {
      runs.compute(key.job(), (k, ofJob) -> {
        ConcurrentMap<String, Entry<Run>> m = ofJob == null ? new ConcurrentHashMap<>() : ofJob;
        Entry<Run> old = m.get(key.slot());
        long have = live(old, now) ? old.revision() : 0;
        if (have != revision) {
          result[0] = old;
          return ofJob;
        }
        written[0] = sequence.incrementAndGet();
        Entry<Run> e = new Entry<>(run, written[0], now, Sizes.of(run));
        bytes.addAndGet(e.size() - (old == null ? 0 : old.size()));
        m.put(key.slot(), e);
        result[0] = e;
        return m;
      });
      return written[0] != 0;
    }, l -> l.runWritten(key, run.state(), run.worker(), updated));
    @SuppressWarnings("unchecked")
    Entry<Run> stored = (Entry<Run>) result[0];
    if (written[0] == 0) {
      boolean there = live(stored, now);
      return CompletableFuture.failedFuture(new RevisionConflictException("run " + key.job() + "."
          + key.slot() + ": write names revision " + revision + " but "
          + (!there ? "there is no such run" : "the stored revision is " + stored.revision())));
    }
    noteWrite(now, key.job(), key.slot());
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Map<RunKey, Run> runs(JobRecord record) {
    Objects.requireNonNull(record, "record");
    Map<String, Entry<Run>> ofJob = runs.get(record.job().id());
    if (ofJob == null) {
      return Map.of();
    }
    long now = clock.millis();
    Map<RunKey, Run> out = new LinkedHashMap<>();
    for (RunKey key : record.runKeys()) {
      Entry<Run> r = ofJob.get(key.slot());
      if (live(r, now)) {
        out.put(key, r.value());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The replay holds off writes while it runs (they wait, then are delivered after it);
   * deliveries happen on the writing thread once the write is stored (a read made on hearing it
   * sees it), while the job's writes are held, so one job's writes are heard in order.
   */
  @Override
  public JobWatch watch(JobWatch.Listener listener) {
    Objects.requireNonNull(listener, "listener");
    return watchers.watch(listener, () -> {
      long now = clock.millis();
      records.forEach((id, e) -> {
        if (live(e, now)) {
          listener.recordWritten(id, JobWatch.RecordFacts.of(e.value()), e.written());
        }
      });
      runs.forEach((id, ofJob) -> ofJob.forEach((slot, e) -> {
        if (live(e, now)) {
          listener.runWritten(new RunKey(id, slot), e.value().state(), e.value().worker(),
              JobWatch.updatedNanos(e.value()));
        }
      }));
    });
  }

  @Override
  public boolean delete(JobId id) {
    Objects.requireNonNull(id, "id");
    long now = clock.millis();
    boolean[] existed = {false};
    boolean[] removed = {false};
    List<String> slots = new ArrayList<>();
    watchers.write(id, () -> {
      runs.computeIfPresent(id, (k, ofJob) -> {
        for (Map.Entry<String, Entry<Run>> e : ofJob.entrySet()) {
          bytes.addAndGet(-e.getValue().size());
          slots.add(e.getKey());
        }
        return null;
      });
      records.computeIfPresent(id, (k, old) -> {
        existed[0] = live(old, now);
        removed[0] = true;
        jobs.decrementAndGet();
        bytes.addAndGet(-old.size());
        return null;
      });
      return removed[0] || !slots.isEmpty();
    }, l -> {
      for (String slot : slots) {
        l.runDeleted(new RunKey(id, slot));
      }
      if (removed[0]) {
        l.recordDeleted(id);
      }
    });
    return existed[0];
  }

  /**
   * Why a new record of {@code size} bytes is refused, or null when it fits; expired values are
   * freed first when the bound is reached.
   */
  private StoreFullException full(long size, long now) {
    if (jobs.get() < limits.maxJobs() && bytes.get() + size <= limits.maxBytes()) {
      return null;
    }
    freeExpired(now);
    if (jobs.get() >= limits.maxJobs()) {
      return new StoreFullException(StoreFullException.Limit.JOBS, limits.maxJobs(),
          "the embedded job store is full: it holds " + jobs.get() + " jobs, its limit");
    }
    if (bytes.get() + size > limits.maxBytes()) {
      return new StoreFullException(StoreFullException.Limit.BYTES, limits.maxBytes(),
          "the embedded job store is full: its jobs take about " + bytes.get() + " bytes and"
              + " this one " + size + " more, over its limit of " + limits.maxBytes() + " bytes");
    }
    return null;
  }

  /** Remembers a write for expiry and frees what has expired, oldest first. */
  private void noteWrite(long now, JobId job, String slot) {
    if (retentionMillis <= 0) {
      return;
    }
    synchronized (writes) {
      writes.addLast(new Written(now, job, slot));
    }
    freeExpired(now);
  }

  /** Frees the values whose retention has passed, oldest write first. */
  private void freeExpired(long now) {
    if (retentionMillis <= 0) {
      return;
    }
    List<Written> due = new ArrayList<>();
    synchronized (writes) {
      while (!writes.isEmpty() && writes.peekFirst().at() + retentionMillis <= now) {
        due.add(writes.pollFirst());
      }
    }
    for (Written w : due) {
      if (w.slot() == null) {
        records.computeIfPresent(w.job(), (k, e) -> {
          if (live(e, now)) {
            return e;
          }
          jobs.decrementAndGet();
          bytes.addAndGet(-e.size());
          return null;
        });
      } else {
        runs.computeIfPresent(w.job(), (k, ofJob) -> {
          ofJob.computeIfPresent(w.slot(), (x, e) -> {
            if (live(e, now)) {
              return e;
            }
            bytes.addAndGet(-e.size());
            return null;
          });
          return ofJob.isEmpty() ? null : ofJob;
        });
      }
    }
  }
}
