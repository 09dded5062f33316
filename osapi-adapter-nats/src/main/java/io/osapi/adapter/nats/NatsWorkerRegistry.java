package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.KeyValueEntry;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.WorkerIdInUseException;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@link WorkerRegistry} on KV bucket {@code osapi-workers}: key {@code workers.<worker token>}
 * ({@link NatsLayout#workerToken}), JSON value, entries expire with the bucket's TTL ({@link
 * NatsSettings#workersTtl()}); {@link #deregister} deletes the key. Listing reads the latest value
 * of every key in one pass and also drops entries older than the TTL by the server's timestamp, as
 * the server expires them lazily; the pass is made again only when the bucket's stream moved since
 * the last ({@link StreamStateCache}: a heartbeat, a registration, an expiry), the age is checked
 * at every listing. Each entry is checked as it is read: one that is not a valid
 * worker record, or that is filed under a key that is not its id's, is skipped and counted ({@link
 * WorkerRoster#invalid()}), never handed on. The server's timestamp of an entry is its {@link
 * WorkerInfo#observed()} time.
 *
 * <p>{@link #register} creates the key only if absent (compare-and-set), so two processes starting
 * with one id cannot both win; an entry there (the server removes it at the bucket's TTL, by its
 * own clock) is taken over, by compare-and-set on its revision, only when it is not a valid record
 * or its process is known to be gone.
 *
 * <p>Drain requests live in bucket {@code osapi-worker-state} (no TTL): key {@code
 * drain.<worker token>}, value the worker id; created only if absent, withdrawn by a delete. A
 * request an osapi before worker tokens filed under the id's sanitised key is honoured (and
 * withdrawn) when its value is the id. {@link #drainRequests} (read at every broadcast's submit)
 * makes no consumer: it answers what it read at the same state of the bucket's stream ({@link
 * StreamStateCache}). The decisions on workers' keys live there too: key {@code keys.<worker
 * token>}, JSON value.
 */
final class NatsWorkerRegistry implements WorkerRegistry {
  private static final System.Logger LOG = System.getLogger(NatsWorkerRegistry.class.getName());

  /**
   * How long a read of the heartbeats or drain requests checked against its bucket is used
   * without asking again: what this process writes is seen at once, another's within this.
   */
  static final Duration REUSE = Duration.ofMillis(100);

  private final NatsLink backend;
  private final StreamStateCache<List<Heartbeat>> heartbeats = new StreamStateCache<>(
      NatsLayout.WORKERS_KV_STREAM, REUSE, NatsWorkerRegistry::readHeartbeats);
  private final StreamStateCache<Set<String>> drains = new StreamStateCache<>(
      NatsLayout.WORKER_STATE_KV_STREAM, REUSE, NatsWorkerRegistry::readDrains);

  NatsWorkerRegistry(NatsLink backend) {
    this.backend = backend;
  }

  @Override
  public void register(WorkerInfo info) {
    NatsSession s = backend.requireSession();
    String key = NatsLayout.workerKey(info.id());
    byte[] value = ControlRecords.worker(info);
    Duration ttl = s.settings.workersTtl();
    try {
      for (int attempt = 0; attempt < 5; attempt++) {
        KeyValueEntry e = s.workersKv.get(key);
        try {
          if (e == null || e.getValue() == null) {
            s.workersKv.create(key, value);
            return;
          }
          Instant at = e.getCreated().toInstant();
          WorkerInfo live = readable(e.getValue());
          // an entry still there is live: the server removes it at its TTL, by its own clock
          // (this process's clock may be off, and must not decide that a live entry expired)
          if (live != null) {
            WorkerInfo seen = live.observedAt(at);
            boolean self = info.process() != null && live.process() != null
                && live.process().instance().equals(info.process().instance());
            if (!self && (info.process() == null || live.process() == null
                || !live.process().gone(info.process()))) {
              throw new WorkerIdInUseException(seen, seen.age(Instant.now()), ttl);
            }
            if (!self) {
              LOG.log(Level.INFO, "worker {0} takes over the entry of a process that is gone"
                  + " ({1})", info.id(), live.process().describe());
            }
          }
          s.workersKv.update(key, value, e.getRevision());
          return;
        } catch (JetStreamApiException x) {
          if (x.getApiErrorCode() != NatsSession.WRONG_LAST_SEQUENCE) {
            throw x;
          }
          // another process wrote the key meanwhile: look again
        }
      }
      throw new IllegalStateException("the entry kept changing");
    } catch (WorkerIdInUseException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("registering worker " + info.id(), e);
    } finally {
      heartbeats.forget(); // this process wrote: its next read sees it
    }
  }

  /** An entry's record, or null when it is not a valid one (taken over at a register). */
  private static WorkerInfo readable(byte[] value) {
    try {
      return ControlRecords.worker(value);
    } catch (RuntimeException e) {
      return null;
    }
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    NatsSession s = backend.requireSession();
    try {
      s.workersKv.put(NatsLayout.workerKey(info.id()), ControlRecords.worker(info));
    } catch (Exception e) {
      throw NatsErrors.unavailable("heartbeat of worker " + info.id(), e);
    } finally {
      heartbeats.forget(); // this process wrote: its next read sees it
    }
  }

  @Override
  public void deregister(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      s.workersKv.delete(NatsLayout.workerKey(workerId));
    } catch (Exception e) {
      throw NatsErrors.unavailable("deregistering worker " + workerId, e);
    } finally {
      heartbeats.forget(); // this process wrote: its next read sees it
    }
  }

  @Override
  public WorkerRoster roster() {
    NatsSession s = backend.requireSession();
    Instant oldest = Instant.now().minus(s.settings.workersTtl());
    List<Heartbeat> read;
    try {
      read = heartbeats.get(s);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("listing workers", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing workers", e);
    }
    List<WorkerInfo> out = new ArrayList<>(read.size());
    int invalid = 0;
    for (Heartbeat h : read) {
      if (h.at().isBefore(oldest)) {
        continue;
      }
      if (h.worker() == null) {
        invalid++;
      } else {
        out.add(h.worker());
      }
    }
    return new WorkerRoster(out, invalid);
  }

  /**
   * A heartbeat as read: when the server stored it, and its worker (null when it is not a valid
   * worker record filed under its id's key).
   */
  private record Heartbeat(Instant at, WorkerInfo worker) {}

  /**
   * Every heartbeat kept, by subject the newest, checked, sorted by worker id, read anew: a scan
   * (one short-lived consumer).
   */
  private static List<Heartbeat> readHeartbeats(NatsSession s) throws Exception {
    // every kept message (a last-per-subject scan, as nats-server 2.9 counts what is left of it,
    // missed a key rewritten while it ran); by key the newest: a key rewritten comes again, last
    Map<String, Message> newest = new HashMap<>();
    s.scan(NatsLayout.WORKERS_KV_STREAM, NatsLayout.WORKERS_KV_ALL, false, DeliverPolicy.All,
        m -> newest.put(m.getSubject(), m));
    List<Heartbeat> out = new ArrayList<>(newest.size());
    for (Map.Entry<String, Message> e : newest.entrySet()) {
      Instant at = e.getValue().metaData().timestamp().toInstant();
      try {
        WorkerInfo w = ControlRecords.worker(e.getValue().getData());
        String key = NatsLayout.keyOfWorkerSubject(e.getKey());
        if (!NatsLayout.workerKey(w.id()).equals(key)) {
          throw new IllegalArgumentException("it holds worker " + w.id());
        }
        out.add(new Heartbeat(at, w.observedAt(at)));
      } catch (RuntimeException x) {
        out.add(new Heartbeat(at, null));
        LOG.log(Level.DEBUG, "skipping worker entry {0}: {1}",
            Names.abbreviate(e.getKey(), 100), x.getMessage());
      }
    }
    out.sort(Comparator.comparing(h -> h.worker() == null ? "" : h.worker().id()));
    return List.copyOf(out);
  }

  @Override
  public boolean requestDrain(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      if (legacyDrain(s, workerId) != null) {
        return false; // requested by an older osapi
      }
      s.workerStateKv.create(NatsLayout.drainKey(workerId),
          workerId.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        return false; // there already
      }
      throw NatsErrors.unavailable("requesting the drain of worker " + workerId, e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("requesting the drain of worker " + workerId, e);
    } finally {
      drains.forget(); // this process wrote: its next read sees it
    }
  }

  @Override
  public boolean cancelDrain(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      boolean legacy = cancelLegacyDrain(s, workerId);
      KeyValueEntry e = s.workerStateKv.get(NatsLayout.drainKey(workerId));
      if (e == null || e.getValue() == null
          || !workerId.equals(new String(e.getValue(), StandardCharsets.UTF_8))) {
        return legacy;
      }
      s.workerStateKv.delete(NatsLayout.drainKey(workerId), e.getRevision());
      return true;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        return false; // withdrawn meanwhile
      }
      throw NatsErrors.unavailable("withdrawing the drain of worker " + workerId, e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("withdrawing the drain of worker " + workerId, e);
    } finally {
      drains.forget(); // this process wrote: its next read sees it
    }
  }

  @Override
  public boolean drainRequested(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      KeyValueEntry e = s.workerStateKv.get(NatsLayout.drainKey(workerId));
      // the value tells: an older osapi may have filed another id's request under this key
      return e != null && e.getValue() != null
          && workerId.equals(new String(e.getValue(), StandardCharsets.UTF_8))
          || legacyDrain(s, workerId) != null;
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading the drain request of worker " + workerId, e);
    }
  }

  /** Whether {@code key} is where a drain request of worker {@code id} is filed. */
  private static boolean isDrainOf(String key, String id) {
    try {
      return key.equals(NatsLayout.drainKey(id)) || key.equals(NatsLayout.legacyDrainKey(id));
    } catch (RuntimeException e) {
      return false; // not a worker id
    }
  }

  /** The request an osapi before worker tokens filed for {@code workerId}, or null. */
  private static KeyValueEntry legacyDrain(NatsSession s, String workerId) throws Exception {
    String key = NatsLayout.legacyDrainKey(workerId);
    KeyValueEntry e = key == null ? null : s.workerStateKv.get(key);
    return e != null && e.getValue() != null
        && workerId.equals(new String(e.getValue(), StandardCharsets.UTF_8)) ? e : null;
  }

  /** Withdraws {@link #legacyDrain}; true when there was one. */
  private static boolean cancelLegacyDrain(NatsSession s, String workerId) throws Exception {
    KeyValueEntry e = legacyDrain(s, workerId);
    if (e == null) {
      return false;
    }
    try {
      s.workerStateKv.delete(e.getKey(), e.getRevision());
      return true;
    } catch (JetStreamApiException x) {
      if (x.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
        return false;
      }
      throw x;
    }
  }

  @Override
  public void forgetReads() {
    heartbeats.forget();
    drains.forget();
  }

  @Override
  public Set<String> drainRequests() {
    try {
      return drains.get(backend.requireSession());
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing drain requests", e);
    }
  }

  /** Every drain request in the bucket, read anew: keys from the stream's subjects, no consumer. */
  private static Set<String> readDrains(NatsSession s) throws Exception {
    Set<String> out = new TreeSet<>();
    for (String key : StreamStateCache.keys(s, NatsLayout.WORKER_STATE_KV_STREAM,
        NatsLayout.WORKER_STATE_KV_PREFIX, NatsLayout.DRAINS_ALL)) {
      KeyValueEntry e = s.workerStateKv.get(key);
      if (e != null && e.getValue() != null) {
        String id = new String(e.getValue(), StandardCharsets.UTF_8);
        if (isDrainOf(key, id)) {
          out.add(id);
        } else {
          LOG.log(Level.DEBUG, "skipping drain entry {0}: not a drain request of a worker id",
              Names.abbreviate(key, 100));
        }
      }
    }
    return Collections.unmodifiableSet(out);
  }

  @Override
  public void decideKey(KeyDecision decision) {
    NatsSession s = backend.requireSession();
    try {
      s.workerStateKv.put(NatsLayout.keyDecisionKey(decision.workerId()),
          ControlRecords.keyDecision(decision));
    } catch (Exception e) {
      throw NatsErrors.unavailable("storing the key decision on worker " + decision.workerId(), e);
    }
  }

  @Override
  public Optional<KeyDecision> keyDecision(String workerId) {
    NatsSession s = backend.requireSession();
    KeyValueEntry e;
    try {
      e = s.workerStateKv.get(NatsLayout.keyDecisionKey(workerId));
    } catch (Exception ex) {
      throw NatsErrors.unavailable("reading the key decision on worker " + workerId, ex);
    }
    if (e == null || e.getValue() == null) {
      return Optional.empty();
    }
    try {
      KeyDecision d = ControlRecords.keyDecision(e.getValue());
      // sanitised ids may share a key: a decision about another id is no decision about this one
      return d.workerId().equals(workerId) ? Optional.of(d) : Optional.empty();
    } catch (RuntimeException ex) {
      LOG.log(Level.WARNING, "unreadable key decision {0}: {1}", e.getKey(), ex.getMessage());
      return Optional.empty();
    }
  }

  @Override
  public Map<String, KeyDecision> keyDecisions() {
    NatsSession s = backend.requireSession();
    Map<String, KeyDecision> out = new TreeMap<>();
    try {
      s.scan(NatsLayout.WORKER_STATE_KV_STREAM, NatsLayout.KEY_DECISIONS_ALL, false, m -> {
        try {
          KeyDecision d = ControlRecords.keyDecision(m.getData());
          out.put(d.workerId(), d);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "skipping unreadable key decision {0}: {1}", m.getSubject(),
              e.getMessage());
        }
      });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("listing key decisions", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing key decisions", e);
    }
    return out;
  }
}
