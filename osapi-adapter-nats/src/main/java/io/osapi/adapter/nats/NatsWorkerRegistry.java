package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.impl.NatsJetStreamMetaData;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * {@link WorkerRegistry} on KV bucket {@code osapi-workers}: key {@code workers.<sanitised id>},
 * JSON value, entries expire with the bucket's TTL ({@link NatsSettings#workersTtl()}); {@link
 * #deregister} deletes the key. Listing reads the latest value of every key in one pass and also
 * drops entries older than the TTL by the server's timestamp, as the server expires them lazily.
 *
 * <p>Drain requests live in bucket {@code osapi-worker-state} (no TTL): key {@code
 * drain.<sanitised id>}, value the worker id; created only if absent, withdrawn by a delete.
 */
final class NatsWorkerRegistry implements WorkerRegistry {
  private static final System.Logger LOG = System.getLogger(NatsWorkerRegistry.class.getName());

  private final NatsLink backend;

  NatsWorkerRegistry(NatsLink backend) {
    this.backend = backend;
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    NatsSession s = backend.requireSession();
    try {
      s.workersKv.put(NatsLayout.workerKey(info.id()), ControlRecords.worker(info));
    } catch (Exception e) {
      throw NatsErrors.unavailable("heartbeat of worker " + info.id(), e);
    }
  }

  @Override
  public void deregister(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      s.workersKv.delete(NatsLayout.workerKey(workerId));
    } catch (Exception e) {
      throw NatsErrors.unavailable("deregistering worker " + workerId, e);
    }
  }

  @Override
  public List<WorkerInfo> workers() {
    NatsSession s = backend.requireSession();
    Instant oldest = Instant.now().minus(s.settings.workersTtl());
    List<WorkerInfo> out = new ArrayList<>();
    try {
      s.scan(
          NatsLayout.WORKERS_KV_STREAM,
          NatsLayout.WORKERS_KV_ALL,
          false,
          m -> {
            NatsJetStreamMetaData meta = m.metaData();
            if (meta.timestamp().toInstant().isBefore(oldest)) {
              return;
            }
            try {
              out.add(ControlRecords.worker(m.getData()));
            } catch (RuntimeException e) {
              LOG.log(Level.WARNING, "skipping unreadable worker entry {0}: {1}", m.getSubject(),
                  e.getMessage());
            }
          });
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw NatsErrors.unavailable("listing workers", e);
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing workers", e);
    }
    out.sort(Comparator.comparing(WorkerInfo::id));
    return out;
  }

  @Override
  public boolean requestDrain(String workerId) {
    NatsSession s = backend.requireSession();
    try {
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
    }
  }

  @Override
  public boolean cancelDrain(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      KeyValueEntry e = s.workerStateKv.get(NatsLayout.drainKey(workerId));
      if (e == null || e.getValue() == null) {
        return false;
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
    }
  }

  @Override
  public boolean drainRequested(String workerId) {
    NatsSession s = backend.requireSession();
    try {
      KeyValueEntry e = s.workerStateKv.get(NatsLayout.drainKey(workerId));
      return e != null && e.getValue() != null;
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading the drain request of worker " + workerId, e);
    }
  }

  @Override
  public Set<String> drainRequests() {
    NatsSession s = backend.requireSession();
    Set<String> out = new TreeSet<>();
    try {
      for (String key : s.workerStateKv.keys()) {
        KeyValueEntry e = s.workerStateKv.get(key);
        if (e != null && e.getValue() != null) {
          out.add(new String(e.getValue(), StandardCharsets.UTF_8));
        }
      }
    } catch (Exception e) {
      throw NatsErrors.unavailable("listing drain requests", e);
    }
    return out;
  }
}
