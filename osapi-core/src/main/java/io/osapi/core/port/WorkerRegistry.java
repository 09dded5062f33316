package io.osapi.core.port;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.WorkerInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Heartbeats of live workers, whose entries expire when a worker stops reporting; and drain
 * requests, which do not expire (they outlive a worker's restart until withdrawn); and the
 * operators' decisions on workers' public keys, which do not expire either.
 */
public interface WorkerRegistry {

  /** Records or refreshes a worker's entry. */
  void heartbeat(WorkerInfo info);

  /** Removes a worker's entry (clean stop). */
  void deregister(String workerId);

  /** Every worker whose entry has not expired. */
  List<WorkerInfo> workers();

  /**
   * Asks {@code workerId} to drain: it takes no new jobs, finishes what it runs, then is cordoned.
   *
   * @return false when a drain was requested already (nothing changes)
   */
  boolean requestDrain(String workerId);

  /**
   * Withdraws the drain request of {@code workerId}: it takes jobs again.
   *
   * @return false when no drain was requested (nothing changes)
   */
  boolean cancelDrain(String workerId);

  /** Whether a drain of {@code workerId} is requested. */
  boolean drainRequested(String workerId);

  /** The workers whose drain is requested. */
  Set<String> drainRequests();

  /** Stores {@code decision}, replacing any earlier one for its worker. */
  void decideKey(KeyDecision decision);

  /** The decision on {@code workerId}'s key, if any. */
  Optional<KeyDecision> keyDecision(String workerId);

  /** Every decision on a worker's key, by worker id. */
  Map<String, KeyDecision> keyDecisions();
}
