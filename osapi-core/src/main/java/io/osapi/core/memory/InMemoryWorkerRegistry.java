package io.osapi.core.memory;

import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A {@link WorkerRegistry} in memory; entries expire {@code ttl} after their last heartbeat. */
public final class InMemoryWorkerRegistry implements WorkerRegistry {
  private final Map<String, WorkerInfo> workers = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  /**
   * @param clock the time source for expiry
   * @param ttl how long an entry lives without a heartbeat
   */
  public InMemoryWorkerRegistry(Clock clock, Duration ttl) {
    this.clock = clock;
    this.ttl = ttl;
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    workers.put(info.id(), info);
  }

  @Override
  public void deregister(String workerId) {
    workers.remove(workerId);
  }

  @Override
  public List<WorkerInfo> workers() {
    Instant oldest = clock.instant().minus(ttl);
    workers.values().removeIf(w -> w.lastHeartbeat().isBefore(oldest));
    List<WorkerInfo> out = new ArrayList<>(workers.values());
    out.sort(Comparator.comparing(WorkerInfo::id));
    return out;
  }
}
