package io.osapi.core.memory;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.WorkerIdInUseException;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link WorkerRegistry} in memory; entries expire {@code ttl} after their last heartbeat was
 * received (this registry's clock, never the worker's), drain requests stay until withdrawn.
 */
public final class InMemoryWorkerRegistry implements WorkerRegistry {
  private final Map<String, WorkerInfo> workers = new ConcurrentHashMap<>();
  private final Set<String> drains = ConcurrentHashMap.newKeySet();
  private final Map<String, KeyDecision> keys = new ConcurrentHashMap<>();
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
  public synchronized void register(WorkerInfo info) {
    WorkerInfo live = workers.get(info.id());
    Instant now = clock.instant();
    if (live != null && !live.observed().isBefore(now.minus(ttl))) {
      boolean self = info.process() != null && live.process() != null
          && live.process().instance().equals(info.process().instance());
      if (!self && (info.process() == null || live.process() == null
          || !live.process().gone(info.process()))) {
        throw new WorkerIdInUseException(live, live.age(now), ttl);
      }
    }
    workers.put(info.id(), info.observedAt(now));
  }

  @Override
  public void heartbeat(WorkerInfo info) {
    workers.put(info.id(), info.observedAt(clock.instant()));
  }

  @Override
  public void deregister(String workerId) {
    workers.remove(workerId);
  }

  @Override
  public WorkerRoster roster() {
    Instant oldest = clock.instant().minus(ttl);
    workers.values().removeIf(w -> w.observed().isBefore(oldest));
    List<WorkerInfo> out = new ArrayList<>(workers.values());
    out.sort(Comparator.comparing(WorkerInfo::id));
    return new WorkerRoster(out, 0);
  }

  @Override
  public boolean requestDrain(String workerId) {
    return drains.add(workerId);
  }

  @Override
  public boolean cancelDrain(String workerId) {
    return drains.remove(workerId);
  }

  @Override
  public boolean drainRequested(String workerId) {
    return drains.contains(workerId);
  }

  @Override
  public Set<String> drainRequests() {
    return Set.copyOf(drains);
  }

  @Override
  public void decideKey(KeyDecision decision) {
    keys.put(decision.workerId(), decision);
  }

  @Override
  public Optional<KeyDecision> keyDecision(String workerId) {
    return Optional.ofNullable(keys.get(workerId));
  }

  @Override
  public Map<String, KeyDecision> keyDecisions() {
    return new TreeMap<>(keys);
  }
}
