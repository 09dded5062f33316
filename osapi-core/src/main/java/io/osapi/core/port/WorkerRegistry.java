package io.osapi.core.port;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.WorkerIdInUseException;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerRoster;
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

  /**
   * Records a starting worker's first entry, unless another live process holds its id: one id,
   * one live process. An entry whose heartbeat has expired, or whose process is known to be gone
   * ({@link io.osapi.core.domain.WorkerProcess#gone}), is taken over.
   *
   * @param info the entry, with {@link WorkerInfo#process()} set
   * @throws WorkerIdInUseException naming the live process that holds the id
   */
  void register(WorkerInfo info);

  /** Records or refreshes a worker's entry. */
  void heartbeat(WorkerInfo info);

  /** Removes a worker's entry (clean stop). */
  void deregister(String workerId);

  /**
   * Every worker whose entry has not expired, by id, each with {@link WorkerInfo#observed()} set;
   * entries that are not valid worker records are skipped and counted. What this registry wrote
   * is in it at once; another process's writes may be seen a bounded time later, where a registry
   * reuses recent reads (NATS: at most 100 ms) until {@link #forgetReads}.
   */
  WorkerRoster roster();

  /**
   * Drops what this registry keeps of recent reads ({@link #roster()}, {@link #drainRequests()}),
   * so the next ones read the store anew: for a decision that must not rest on a read another
   * process's write may have passed since (a create refused for want of a worker). A registry
   * that keeps nothing does nothing.
   */
  default void forgetReads() {}

  /** Every worker whose entry has not expired, by id ({@link #roster()} without the count). */
  default List<WorkerInfo> workers() {
    return roster().workers();
  }

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

  /**
   * The workers whose drain is requested (as {@link #roster()}: another process's requests may
   * be seen a bounded time later, until {@link #forgetReads}).
   */
  Set<String> drainRequests();

  /** Stores {@code decision}, replacing any earlier one for its worker. */
  void decideKey(KeyDecision decision);

  /** The decision on {@code workerId}'s key, if any. */
  Optional<KeyDecision> keyDecision(String workerId);

  /** Every decision on a worker's key, by worker id. */
  Map<String, KeyDecision> keyDecisions();
}
