package io.osapi.core.memory;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link JobStore} in memory, for embedding, development and tests, with the semantics of the
 * NATS store: every write takes the next number of one store-wide sequence as its revision (like a
 * stream sequence, so revisions are positive and grow), creates need the value to be absent and
 * every other write names the stored revision; a write that does not match changes nothing and
 * completes with {@link RevisionConflictException}.
 *
 * <p>Thread-safe: each record and each run is changed atomically on its own key. Every future is
 * complete when it is returned. Values are kept as given (they are immutable records), so what is
 * read back equals what was written.
 */
public final class InMemoryJobStore implements JobStore {
  private final AtomicLong sequence = new AtomicLong();
  private final ConcurrentMap<JobId, Versioned<JobRecord>> records = new ConcurrentHashMap<>();
  /** Ids of stored records, newest first (version 7 ids sort by creation time). */
  private final ConcurrentSkipListSet<JobId> newestFirst =
      new ConcurrentSkipListSet<>(Comparator.reverseOrder());
  private final ConcurrentMap<JobId, ConcurrentMap<String, Versioned<Run>>> runs =
      new ConcurrentHashMap<>();

  /** A new, empty store. */
  public InMemoryJobStore() {}

  @Override
  public CompletableFuture<Long> create(JobRecord record) {
    Objects.requireNonNull(record, "record");
    JobId id = record.job().id();
    long[] written = {0};
    records.compute(id, (k, old) -> {
      if (old != null) {
        return old;
      }
      written[0] = sequence.incrementAndGet();
      return new Versioned<>(record, written[0]);
    });
    if (written[0] == 0) {
      return CompletableFuture.failedFuture(
          new RevisionConflictException("job " + id + " exists already"));
    }
    newestFirst.add(id);
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Optional<Versioned<JobRecord>> find(JobId id) {
    Objects.requireNonNull(id, "id");
    return Optional.ofNullable(records.get(id));
  }

  @Override
  public CompletableFuture<Long> update(JobRecord record, long revision) {
    Objects.requireNonNull(record, "record");
    JobId id = record.job().id();
    long[] written = {0};
    Versioned<JobRecord> now = records.computeIfPresent(id, (k, old) -> {
      if (old.revision() != revision) {
        return old;
      }
      written[0] = sequence.incrementAndGet();
      return new Versioned<>(record, written[0]);
    });
    if (written[0] == 0) {
      return CompletableFuture.failedFuture(new RevisionConflictException("job " + id
          + ": update names revision " + revision + " but "
          + (now == null ? "there is no such job" : "the stored revision is " + now.revision())));
    }
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Optional<Versioned<Run>> run(RunKey key) {
    Objects.requireNonNull(key, "key");
    Map<String, Versioned<Run>> ofJob = runs.get(key.job());
    return Optional.ofNullable(ofJob == null ? null : ofJob.get(key.slot()));
  }

  @Override
  public CompletableFuture<Long> putRun(RunKey key, Run run, long revision) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(run, "run");
    if (revision < 0) {
      throw new IllegalArgumentException("revision must not be negative: " + revision);
    }
    ConcurrentMap<String, Versioned<Run>> ofJob =
        runs.computeIfAbsent(key.job(), k -> new ConcurrentHashMap<>());
    long[] written = {0};
    Versioned<Run> now = ofJob.compute(key.slot(), (k, old) -> {
      long stored = old == null ? 0 : old.revision();
      if (stored != revision) {
        return old;
      }
      written[0] = sequence.incrementAndGet();
      return new Versioned<>(run, written[0]);
    });
    if (written[0] == 0) {
      return CompletableFuture.failedFuture(new RevisionConflictException("run " + key.job() + "."
          + key.slot() + ": write names revision " + revision + " but "
          + (now == null ? "there is no such run" : "the stored revision is " + now.revision())));
    }
    return CompletableFuture.completedFuture(written[0]);
  }

  @Override
  public Map<RunKey, Run> runs(JobRecord record) {
    Objects.requireNonNull(record, "record");
    Map<String, Versioned<Run>> ofJob = runs.get(record.job().id());
    if (ofJob == null) {
      return Map.of();
    }
    Map<RunKey, Run> out = new LinkedHashMap<>();
    for (RunKey key : record.runKeys()) {
      Versioned<Run> r = ofJob.get(key.slot());
      if (r != null) {
        out.put(key, r.value());
      }
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the status is exact: computed from each record's runs as {@link
   * io.osapi.core.domain.JobView} computes it. The map iterates newest first.
   */
  @Override
  public Map<JobId, JobStatus> statuses() {
    Map<JobId, JobStatus> out = new LinkedHashMap<>();
    for (JobId id : newestFirst) {
      Versioned<JobRecord> r = records.get(id);
      if (r != null) { // deleted meanwhile
        out.put(id, status(r.value()));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private JobStatus status(JobRecord record) {
    Map<String, Versioned<Run>> ofJob = runs.get(record.job().id());
    if (ofJob == null) {
      ofJob = Map.of();
    }
    List<RunState> states = new ArrayList<>();
    for (RunKey key : record.runKeys()) {
      Versioned<Run> r = ofJob.get(key.slot());
      if (r != null) {
        states.add(r.value().state());
      }
    }
    if (record.expected().isEmpty()) {
      return JobStatus.of(states.isEmpty() ? null : states.get(0));
    }
    return JobStatus.aggregate(states, record.expected().size());
  }

  @Override
  public boolean delete(JobId id) {
    Objects.requireNonNull(id, "id");
    boolean existed = records.remove(id) != null;
    newestFirst.remove(id);
    runs.remove(id);
    return existed;
  }
}
