package io.osapi.adapter.nats;

import io.nats.client.api.MessageInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.JobWatch;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * {@link JobStore} on KV bucket {@code osapi-jobs}: the record under {@code jobs.<id>}, each run
 * under {@code runs.<id>.<slot>} (see {@link NatsLayout}).
 *
 * <p>Writes are asynchronous JetStream publishes to the key's subject with {@code
 * Nats-Expected-Last-Subject-Sequence} = the revision named (0: the key must not exist), so they
 * pipeline across jobs; the future completes on jnats' thread with the stored message's sequence,
 * the new revision. The server refusing the sequence becomes {@link RevisionConflictException};
 * anything else, and a write asked for while disconnected (never queued across an outage), {@link
 * BackendUnavailableException}, except what NATS refuses for the request itself (a key that is
 * not valid, a value over the server's max payload): {@link PermanentStoreException}, at once and
 * never retried. No write is retried here: its caller settles an unknown outcome by
 * reading. Each write carries small headers ({@code Osapi-State}, {@code -Updated} and, once
 * held, {@code -Worker} on runs; {@code Osapi-Expected}, {@code -Operation}, {@code -Target},
 * {@code -Created} and {@code -Updated} on records) so a {@link #watch} needs headers only. A delete writes KV purge markers
 * (so watchers see it); a create where such a marker stands is made over it.
 *
 * <p>Reads name their key (never a wildcard); KV delete and purge markers read as absent.
 */
final class NatsJobStore implements JobStore {
  private static final System.Logger LOG = System.getLogger(NatsJobStore.class.getName());
  /** The header a compare-and-set write names the stored revision in (0: must not exist). */
  static final String EXPECTED_SEQUENCE =
      io.nats.client.support.NatsJetStreamConstants.EXPECTED_LAST_SUB_SEQ_HDR;
  /** Most runs {@link #runs} reads by their keys; a job expecting more is read in one pass. */
  static final int READ_RUNS_MAX = 64;
  /** What a run's read is called in its errors (before the job's id). */
  private static final String RUN_READ = "reading a run of job ";
  /** How old a create with an unknown outcome must be before it is removed. */
  static final Duration SETTLE_AFTER = NatsUnconfirmedCreates.SETTLE_AFTER;

  private final NatsLink backend;
  /** Records whose create had an unknown outcome: see {@link #create}. */
  private final NatsUnconfirmedCreates unconfirmed;
  private final NatsStoreUsage usage;
  private final NatsJobReads reads;
  /** Where a create leaves its notification's body for {@link NatsJobQueue#publish}. */
  private final NotificationBodies bodies;

  NatsJobStore(NatsLink backend) {
    this(backend, new NotificationBodies());
  }

  NatsJobStore(NatsLink backend, NotificationBodies bodies) {
    this.backend = backend;
    this.bodies = bodies;
    this.usage = new NatsStoreUsage(backend);
    this.reads = new NatsJobReads(backend);
    this.unconfirmed = new NatsUnconfirmedCreates(backend, this);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A create that failed with an unknown outcome (NATS went away before answering) may have
   * been stored although its caller hears "failed": it is remembered, and once NATS answers again
   * and it is {@link #SETTLE_AFTER} old the record is read and removed unless a run exists for it. A create of the same job again (its
   * caller retrying) takes it back first, atomically with that removal: either the removal came
   * first and this create is made over its purge marker, or the record stays for this create to
   * find (a {@link RevisionConflictException}: it exists already) and go on with.
   */
  @Override
  public CompletableFuture<Long> create(JobRecord record) {
    JobId id = record.job().id();
    unconfirmed.takeBack(id); // waits for a removal of this record under way
    WireHeaders h = headers(record);
    byte[] value = Records.record(record, bodies); // its notification's body kept for the publish
    io.osapi.core.domain.StoreFullException full = usage.refuseCreate(
        NatsStoreUsage.size(NatsLayout.jobSubject(id), h.serializedLength(), value.length));
    if (full != null) {
      bodies.drop(record.job());
      return CompletableFuture.failedFuture(full);
    }
    // the caller's next step runs after the record is remembered, so its retry takes it back
    return write(NatsLayout.jobSubject(id), h, value, 0, "storing job ", id)
        .whenComplete((rev, err) -> {
          if (err != null) {
            bodies.drop(record.job());
            if (NatsErrors.outcomeUnknown(err)) {
              unconfirmed.remember(record);
            }
          }
        });
  }

  /** A record's headers: what a listing shows of it ({@link JobWatch.RecordFacts}). */
  static WireHeaders headers(JobRecord record) {
    JobWatch.RecordFacts f = JobWatch.RecordFacts.of(record);
    return new WireHeaders()
        .put(NatsHeaders.EXPECTED_HEADER, Integer.toString(f.expected()))
        .put(NatsHeaders.OPERATION_HEADER, f.operation())
        .put(NatsHeaders.TARGET_HEADER, f.target())
        .put(NatsHeaders.CREATED_HEADER, Long.toString(f.createdNanos()))
        .put(NatsHeaders.UPDATED_HEADER, Long.toString(f.updatedNanos()));
  }

  @Override
  public Optional<Versioned<JobRecord>> find(JobId id) {
    NatsJobReads.Entry e = reads.read(NatsLayout.jobKey(id), "reading job ", id);
    return e == null
        ? Optional.empty()
        : Optional.of(new Versioned<>(Records.record(id, e.value()), e.revision()));
  }

  @Override
  public CompletableFuture<Long> update(JobRecord record, long revision) {
    if (revision < 1) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("revision must be positive: " + revision));
    }
    JobId id = record.job().id();
    return write(NatsLayout.jobSubject(id), headers(record), Records.record(record), revision,
        "updating job ", id);
  }

  @Override
  public Optional<Versioned<Run>> run(RunKey key) {
    NatsJobReads.Entry e = reads.read(NatsLayout.runKey(key), RUN_READ, key.job());
    return run(key, e);
  }

  /** {@inheritDoc} Its first attempt is sent at once, without waiting on a thread. */
  @Override
  public CompletableFuture<Optional<Versioned<Run>>> runAsync(RunKey key, Executor executor) {
    return reads.readAsync(NatsLayout.runKey(key), RUN_READ, key.job(), executor)
        .thenApply(e -> run(key, e));
  }

  private static Optional<Versioned<Run>> run(RunKey key, NatsJobReads.Entry e) {
    return e == null
        ? Optional.empty()
        : Optional.of(new Versioned<>(Records.run("run " + NatsLayout.runKey(key), e.value()),
            e.revision()));
  }

  @Override
  public CompletableFuture<Long> putRun(RunKey key, Run run, long revision) {
    if (revision < 0) {
      return CompletableFuture.failedFuture(
          new IllegalArgumentException("revision must not be negative: " + revision));
    }
    WireHeaders h = new WireHeaders().put(NatsHeaders.STATE_HEADER, run.state().wire())
        .put(NatsHeaders.UPDATED_HEADER, Long.toString(JobWatch.updatedNanos(run)));
    if (run.worker() != null) {
      h.put(NatsHeaders.WORKER_HEADER, run.worker());
    }
    return write(NatsLayout.runSubject(key), h, Records.run(run), revision,
        "writing a run of job ", key.job());
  }

  /**
   * {@inheritDoc}
   *
   * <p>Up to {@value #READ_RUNS_MAX} expected workers, by their keys, every key's read sent at
   * once (direct gets: {@link NatsJobReads#attempt}; a key whose attempt got no answer to keep is
   * then read with retries); more (a broadcast to a large fleet, most of whose runs do not exist
   * yet) in one pass ({@link RunScan}).
   */
  @Override
  public Map<RunKey, Run> runs(JobRecord record) {
    Map<RunKey, Run> out = new LinkedHashMap<>();
    List<RunKey> keys = record.runKeys();
    if (keys.size() <= READ_RUNS_MAX) {
      // every key's first attempt at once; one without an answer to keep is read as run() reads
      List<CompletableFuture<NatsJobReads.Entry>> first = new ArrayList<>(keys.size());
      for (RunKey k : keys) {
        first.add(reads.attempt(NatsLayout.runKey(k), RUN_READ, k.job()));
      }
      for (int i = 0; i < keys.size(); i++) {
        RunKey k = keys.get(i);
        run(k, reads.awaitOrRead(first.get(i), NatsLayout.runKey(k), RUN_READ, k.job()))
            .ifPresent(v -> out.put(k, v.value()));
      }
      return out;
    }
    Map<RunKey, Run> found = RunScan.existing(backend.requireSession(), record);
    for (RunKey k : keys) { // in the record's order
      Run r = found.get(k);
      if (r != null) {
        out.put(k, r);
      }
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>One ordered consumer over the bucket, headers only ({@link NatsJobWatch}).
   */
  @Override
  public JobWatch watch(JobWatch.Listener listener) {
    NatsJobWatch w = new NatsJobWatch(backend, listener);
    w.start();
    return w;
  }

  /**
   * The bucket's max age as the server has it (the controllers own it; {@link
   * NatsSettings#jobsTtl()} until the bucket was seen).
   */
  @Override
  public Duration retention() {
    return backend.jobBucket().maxAge();
  }

  /** {@inheritDoc} One stream info request for bucket {@code osapi-jobs}. */
  @Override
  public io.osapi.core.domain.StoreUsage usage() {
    return usage.read();
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
      for (String subject : keys) {
        purge(s, subject);
      }
      return true;
    } catch (Exception e) {
      throw NatsErrors.unavailable("deleting job " + id, e);
    }
  }

  /**
   * Purges one key the KV way: a marker ({@code KV-Operation: PURGE}) that rolls up everything
   * before it, so every watcher of the bucket sees the delete (a stream purge would be silent).
   * The marker goes with the bucket's max age.
   */
  static void purge(NatsSession s, String subject) throws Exception {
    Headers h = new Headers()
        .put(NatsHeaders.KV_OPERATION_HEADER, "PURGE")
        .put("Nats-Rollup", "sub");
    s.js.publish(subject, h, null);
  }

  // ---- writes

  /**
   * Publishes one value by compare-and-set on {@code revision} (0: it must not exist); the future
   * completes with its sequence. {@code facts}, the write's own headers (what the store's usage
   * counts of them), get the expectation ({@link #EXPECTED_SEQUENCE}) here, rather than by
   * {@code PublishOptions}, for which jnats copies every header of the write to add it (the same
   * header on the wire), and are {@linkplain WireHeaders#seal() sealed}. {@code what} and {@code
   * id} name the write in errors (joined only when it fails).
   */
  private CompletableFuture<Long> write(String subject, WireHeaders facts, byte[] value,
      long revision, String what, JobId id) {
    int headerBytes = facts.serializedLength();
    facts.put(EXPECTED_SEQUENCE, Long.toString(revision)).seal();
    return publish(subject, facts, headerBytes, value, revision, what, id, false);
  }

  /**
   * Publishes a write whose {@code headers} name its expected sequence; {@code headerBytes}: what
   * the usage counts of them; {@code overMarker}: a create made again over a purge marker.
   */
  private CompletableFuture<Long> publish(String subject, Headers headers, int headerBytes,
      byte[] value, long revision, String what, JobId id, boolean overMarker) {
    CompletableFuture<PublishAck> f;
    try {
      NatsSession s = backend.requireSession();
      refuseOversize(s, value, what, id);
      f = s.js.publishAsync(subject, headers, value);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(NatsErrors.permanent(e)
          ? NatsErrors.refused(what + id, e) : NatsErrors.unavailable(what + id, e));
    }
    CompletableFuture<Long> done = new CompletableFuture<>();
    f.whenComplete((ack, err) -> {
      if (err == null) {
        usage.wrote(NatsStoreUsage.size(subject, headerBytes, value == null ? 0 : value.length));
        done.complete(ack.getSeqno());
      } else if (revision == 0 && NatsErrors.apiErrorCode(err) == NatsSession.WRONG_LAST_SEQUENCE
          && !overMarker) {
        // a create where a deleted value's purge marker stands: create over the marker (off
        // jnats' thread, as it reads)
        backend.retry().execute(() -> {
          long marker = markerSequence(subject);
          if (marker <= 0) {
            done.completeExceptionally(new RevisionConflictException(
                what + id + ": it exists already", NatsErrors.apiError(err)));
            return;
          }
          // the same headers, expecting the marker's sequence instead (a copy: they are sealed)
          Headers again = new Headers(headers).put(EXPECTED_SEQUENCE, Long.toString(marker));
          publish(subject, again, headerBytes, value, 0, what, id, true).whenComplete((r, e2) -> {
            if (e2 == null) {
              done.complete(r);
            } else {
              done.completeExceptionally(e2);
            }
          });
        });
      } else if (NatsErrors.apiErrorCode(err) == NatsSession.WRONG_LAST_SEQUENCE) {
        done.completeExceptionally(new RevisionConflictException(
            what + id + ": " + (revision == 0 ? "it exists already" : "revision " + revision
                + " is not the stored one"), NatsErrors.apiError(err)));
      } else if (NatsErrors.permanent(err)) {
        done.completeExceptionally(NatsErrors.refused(what + id, err));
      } else {
        RuntimeException failure = NatsErrors.failure(what + id, err,
            backend.jobBucket().maxBytes());
        if (failure instanceof io.osapi.core.domain.StoreFullException full) {
          usage.refused(full);
        }
        done.completeExceptionally(failure);
      }
    });
    return done;
  }

  /**
   * Refuses a value the server would refuse (larger than its max payload) before it is sent, with
   * both sizes in the message: a {@link PermanentStoreException}, never an outage.
   */
  private static void refuseOversize(NatsSession s, byte[] value, String what,
      JobId id) {
    long max = s.conn.getMaxPayload();
    if (max > 0 && value != null && value.length > max) {
      throw new PermanentStoreException("NATS refused " + what + id + ": the value is "
          + value.length + " bytes, more than the NATS server's max payload (" + max + " bytes)",
          null);
    }
  }

  /**
   * The sequence of the purge or delete marker that is the last message of {@code subject}, or 0
   * when its last message is a value (or there is none, or it cannot be read).
   */
  private long markerSequence(String subject) {
    try {
      MessageInfo mi = backend.requireSession().jsm.getLastMessage(NatsLayout.JOBS_KV_STREAM,
          subject);
      Headers h = mi.getHeaders();
      String op = h == null ? null : h.getFirst(NatsHeaders.KV_OPERATION_HEADER);
      return op != null && !op.equals("PUT") ? mi.getSeq() : 0;
    } catch (Exception e) {
      return 0;
    }
  }

  // ---- reads

  /** The run state of an {@code Osapi-State} header value, or null. */
  static RunState state(String wire) {
    for (RunState s : RunState.values()) {
      if (s.wire().equals(wire)) {
        return s;
      }
    }
    return null;
  }
}
