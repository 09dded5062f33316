package io.osapi.core.memory;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.WorkerInfo;
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
 * A {@link WorkerRegistry} in memory; entries expire {@code ttl} after their last heartbeat, drain
 * requests stay until withdrawn.
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
