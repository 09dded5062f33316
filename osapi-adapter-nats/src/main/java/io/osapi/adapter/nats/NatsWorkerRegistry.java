package io.osapi.adapter.nats;

import io.nats.client.impl.NatsJetStreamMetaData;
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
 */
final class NatsWorkerRegistry implements WorkerRegistry {
  private static final System.Logger LOG = System.getLogger(NatsWorkerRegistry.class.getName());

  private final NatsBackend backend;

  NatsWorkerRegistry(NatsBackend backend) {
    this.backend = backend;
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    NatsSession s = backend.requireSession();
    try {
      s.workersKv.put(NatsLayout.workerKey(info.id()), Records.worker(info));
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
              out.add(Records.worker(m.getData()));
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
}
