package io.osapi.adapter.nats;

import io.nats.client.PublishOptions;
import io.nats.client.PurgeOptions;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@link JobStore} on KV bucket {@code osapi-jobs}: the record under {@code jobs.<id>}, each run
 * under {@code runs.<id>.<slot>} (see {@link NatsLayout}).
 *
 * <p>Writes are asynchronous JetStream publishes to the key's subject with {@code
 * Nats-Expected-Last-Subject-Sequence} = the revision named (0: the key must not exist), so they
 * pipeline across jobs; the future completes on jnats' thread with the stored message's sequence,
 * the new revision. The server refusing the sequence becomes {@link RevisionConflictException};
 * anything else, and a write asked for while disconnected (never queued across an outage),
 * {@link BackendUnavailableException}. No write is retried here: its caller settles an unknown
 * outcome by reading. Each write carries a small header ({@code Osapi-State} on runs, {@code
 * Osapi-Expected} on records) so {@link #statuses()} needs only a headers-only scan.
 *
 * <p>Reads name their key (never a wildcard); KV delete and purge markers read as absent.
 */
final class NatsJobStore implements JobStore {
  private static final System.Logger LOG = System.getLogger(NatsJobStore.class.getName());
  private static final PublishOptions CREATE =
      PublishOptions.builder().expectedLastSubjectSequence(0).build();
  /** How long a create whose outcome was unknown is remembered for removal. */
  private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);

  private final NatsBackend backend;
  /** Records whose create had an unknown outcome, with since when: see {@link #create}. */
  private final Map<JobId, Unconfirmed> unconfirmed = new ConcurrentHashMap<>();
  private final AtomicBoolean removalScheduled = new AtomicBoolean();

  NatsJobStore(NatsBackend backend) {
    this.backend = backend;
  }

  /**
   * {@inheritDoc}
   *
   * <p>A create that failed with an unknown outcome (NATS went away before answering) may have
   * been stored although its caller hears "failed" and publishes nothing: it is remembered, and
   * once NATS answers again the record is read and removed unless a run exists for it.
   */
  @Override
  public CompletableFuture<Long> create(JobRecord record) {
    JobId id = record.job().id();
    Headers h = new Headers().put(NatsLayout.EXPECTED_HEADER, Integer.toString(record.expected().size()));
    CompletableFuture<Long> f =
        write(NatsLayout.jobSubject(id), h, Records.record(record), 0, CREATE, "storing job ", id);
    f.whenComplete((rev, err) -> {
      if (err != null && NatsErrors.outcomeUnknown(err)) {
        unconfirmed.put(id, new Unconfirmed(record, System.nanoTime()));
        scheduleRemoval();
      }
    });
    return f;
  }

  @Override
  public Optional<Versioned<JobRecord>> find(JobId id) {
    KeyValueEntry e = get(NatsLayout.jobKey(id), "reading job ", id);
    return e == null
        ? Optional.empty()
        : Optional.of(new Versioned<>(Records.record(id, e.getValue()), e.getRevision()));
  }

  @Override
  public CompletableFuture<Long> update(JobRecord record, long revision) {
    requireRevision(revision);
    JobId id = record.job().id();
    Headers h = new Headers().put(NatsLayout.EXPECTED_HEADER, Integer.toString(record.expected().size()));
    return write(NatsLayout.jobSubject(id), h, Records.record(record), revision,
        PublishOptions.builder().expectedLastSubjectSequence(revision).build(), "updating job ", id);
  }

  @Override
  public Optional<Versioned<Run>> run(RunKey key) {
    KeyValueEntry e = get(NatsLayout.runKey(key), "reading a run of job ", key.job());
    return e == null
        ? Optional.empty()
        : Optional.of(new Versioned<>(Records.run("run " + NatsLayout.runKey(key), e.getValue()),
            e.getRevision()));
  }

  @Override
  public CompletableFuture<Long> putRun(RunKey key, Run run, long revision) {
    if (revision < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("revision must not be negative: " + revision));
    }
    Headers h = new Headers().put(NatsLayout.STATE_HEADER, run.state().wire());
    PublishOptions po = revision == 0
        ? CREATE
        : PublishOptions.builder().expectedLastSubjectSequence(revision).build();
    return write(NatsLayout.runSubject(key), h, Records.run(run), revision, po,
        "writing a run of job ", key.job());
  }

  @Override
  public Map<RunKey, Run> runs(JobRecord record) {
    Map<RunKey, Run> out = new LinkedHashMap<>();
    for (RunKey k : record.runKeys()) {
      run(k).ifPresent(v -> out.put(k, v.value()));
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One headers-only pass over the last message of every key: record headers say how many
   * workers a job expects, run headers the run's state.
   */
  @Override
  public Map<JobId, JobStatus> statuses() {
    NatsSession s = backend.requireSession();
    TreeMap<JobId, Integer> expected = new TreeMap<>(Comparator.reverseOrder());
    Map<JobId, List<RunState>> states = new HashMap<>();
    try {
      s.scan(NatsLayout.JOBS_KV_STREAM, NatsLayout.JOBS_KV_ALL, true, m -> {
        String subject = m.getSubject();
        Headers h = m.getHeaders();
        JobId job = NatsLayout.jobOfRecordSubject(subject);
        if (job != null) {
          expected.put(job, count(h == null ? null : h.getFirst(NatsLayout.EXPECTED_HEADER)));
          return;
        }
        RunKey run = NatsLayout.runOfSubject(subject);
        RunState state = run == null ? null : state(h);
        if (state != null) {
          states.computeIfAbsent(run.job(), k -> new ArrayList<>(1)).add(state);
        } else {
          LOG.log(Level.DEBUG, "statuses: skipping key {0}", subject);
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("listing jobs", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing jobs", e);
    }
    Map<JobId, JobStatus> out = new LinkedHashMap<>();
    expected.forEach((id, n) -> {
      List<RunState> runs = states.getOrDefault(id, List.of());
      out.put(id, n == 0
          ? JobStatus.of(runs.isEmpty() ? null : runs.get(0))
          : JobStatus.aggregate(runs, n));
    });
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads the record for the run keys, then purges the runs and last the record (so a failure
   * half way leaves the job listed, to be deleted again). A record that cannot be read is removed
   * with the shared run key.
   */
  @Override
  public boolean delete(JobId id) {
    List<String> keys = new ArrayList<>();
    try {
      Optional<Versioned<JobRecord>> r = find(id);
      if (r.isEmpty()) {
        return false;
      }
      r.get().value().runKeys().forEach(k -> keys.add(NatsLayout.runSubject(k)));
    } catch (CorruptRecordException e) {
      LOG.log(Level.WARNING, "deleting job {0}, whose record cannot be read: {1}", id,
          e.getMessage());
      keys.add(NatsLayout.runSubject(RunKey.any(id)));
    }
    keys.add(NatsLayout.jobSubject(id));
    NatsSession s = backend.requireSession();
    try {
      long purged = 0;
      for (String subject : keys) {
        purged = s.jsm.purgeStream(NatsLayout.JOBS_KV_STREAM, PurgeOptions.subject(subject))
            .getPurged();
      }
      return purged > 0;
    } catch (Exception e) {
      throw NatsErrors.unavailable("deleting job " + id, e);
    }
  }

  // ---- writes

  /**
   * Publishes one value; the future completes with its sequence. {@code what} and {@code id} name
   * the write in errors (joined only when it fails).
   */
  private CompletableFuture<Long> write(String subject, Headers headers, byte[] value,
      long revision, PublishOptions po, String what, JobId id) {
    CompletableFuture<PublishAck> f;
    try {
      f = backend.requireSession().js.publishAsync(subject, headers, value, po);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(NatsErrors.unavailable(what + id, e));
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    f.whenComplete((ack, err) -> {
      if (err == null) {
        done.complete(ack.getSeqno());
      } else if (NatsErrors.apiErrorCode(err) == NatsSession.WRONG_LAST_SEQUENCE) {
        done.completeExceptionally(new RevisionConflictException(
            what + id + ": " + (revision == 0 ? "it exists already" : "revision " + revision
                + " is not the stored one"), NatsErrors.apiError(err)));
      } else {
        done.completeExceptionally(NatsErrors.unavailable(what + id, err));
      }
    });
    return done;
  }

  private static void requireRevision(long revision) {
    if (revision < 1) {
      throw new IllegalArgumentException("revision must be positive: " + revision);
    }
  }

  // ---- reads

  private KeyValueEntry get(String key, String what, JobId id) {
    NatsSession s = backend.requireSession();
    try {
      KeyValueEntry e = s.jobsKv.get(key);
      return e == null || e.getValue() == null ? null : e;
    } catch (Exception e) {
      throw NatsErrors.unavailable(what + id, e);
    }
  }

  private static int count(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(header));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static RunState state(Headers h) {
    String v = h == null ? null : h.getFirst(NatsLayout.STATE_HEADER);
    if (v == null) {
      return null;
    }
    for (RunState s : RunState.values()) {
      if (s.wire().equals(v)) {
        return s;
      }
    }
    return null;
  }

  // ---- creates whose outcome was unknown

  private void scheduleRemoval() {
    if (removalScheduled.compareAndSet(false, true)) {
      NatsRetry.schedule(this::removeUnconfirmed, 500);
    }
  }

  /**
   * Settles the creates whose outcome was unknown, every 500 ms while there are any, once
   * connected: a flush first (a create jnats still held across the reconnect reaches the server
   * before it), then each record is read: absent, nothing to do; present with a run, a worker
   * claimed the job meanwhile and it stays; else it is removed. Gives up on one after ten minutes.
   */
  private void removeUnconfirmed() {
    removalScheduled.set(false);
    if (backend.isGone()) {
      return;
    }
    if (backend.isConnected()) {
      try {
        NatsSession s = backend.requireSession();
        s.conn.flush(s.settings.requestTimeout());
        for (Map.Entry<JobId, Unconfirmed> e : List.copyOf(unconfirmed.entrySet())) {
          settle(s, e.getKey(), e.getValue().record());
          unconfirmed.remove(e.getKey());
        }
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "settling creates with unknown outcome, trying again: {0}",
            NatsErrors.describe(e));
      }
    }
    long now = System.nanoTime();
    unconfirmed.values().removeIf(u -> now - u.since() > FORGET_AFTER_NANOS);
    if (!unconfirmed.isEmpty()) {
      scheduleRemoval();
    }
  }

  private void settle(NatsSession s, JobId id, JobRecord record) throws Exception {
    KeyValueEntry stored = get(NatsLayout.jobKey(id), "reading job ", id);
    if (stored == null) {
      return;
    }
    if (!runs(record).isEmpty()) {
      LOG.log(Level.INFO, "job {0}: its create was answered with a failure but had been stored,"
          + " and a worker has claimed it since; it stays", id);
      return;
    }
    s.jsm.purgeStream(NatsLayout.JOBS_KV_STREAM, PurgeOptions.subject(NatsLayout.jobSubject(id)));
    LOG.log(Level.INFO, "removed job record {0}: its create was answered with a failure but had"
        + " been stored", id);
  }

  /** A create with an unknown outcome. */
  private record Unconfirmed(JobRecord record, long since) {}
}
