package io.osapi.core.service;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunEnd;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Verification;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The controller's side of worker keys: an operator accepts or rejects the public key a live
 * worker announces in its heartbeat (the decision is stored in the registry, which workers cannot
 * write when NATS permissions are set up as docs/operations.md shows), and the ends of runs are
 * checked against the accepted keys when a job is read.
 *
 * <p>Decisions are looked up per worker and kept for {@link #CACHE} (a detail of a broadcast job
 * reads each expected worker's decision at most once per that time); a decision made through this
 * object is seen by it at once, by other controllers within {@link #CACHE}.
 */
public final class WorkerKeys {
  /** How long a looked-up decision is used before it is read again. */
  public static final Duration CACHE = Duration.ofSeconds(2);

  /** What an accept or reject did. */
  public enum Outcome {
    /** Stored. */
    DONE,
    /** The key was in that state already. */
    ALREADY,
    /** No live worker has that id. */
    UNKNOWN_WORKER,
    /** The worker announces no key (an osapi before worker keys, or an embedding without one). */
    NO_KEY,
    /** The worker announces another key than the fingerprint given: nothing stored. */
    OTHER_KEY
  }

  /**
   * A decision as read, with its accepted key decoded on the first verification that needs it (a
   * read whose ends are all verified already decodes nothing).
   */
  private static final class Cached {
    final Optional<KeyDecision> decision;
    final long until;
    private volatile PublicKey key; // decoded at most a few times when threads race: the same key

    Cached(Optional<KeyDecision> decision, long until) {
      this.decision = decision;
      this.until = until;
    }

    /** The accepted key, decoded once; null when it is not a key (its ends then do not match). */
    PublicKey key() {
      PublicKey k = key;
      if (k == null) {
        try {
          k = WorkerKey.verifyingKey(decision.orElseThrow().publicKey());
        } catch (GeneralSecurityException | IllegalArgumentException e) {
          return null; // WorkerKey.verify decodes it again and says the ends do not match it
        }
        key = k;
      }
      return k;
    }
  }

  private final WorkerRegistry registry;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();
  /** Digests of ends verified already, at most {@link #MAX_VERIFIED}. */
  private final Map<String, Boolean> verified = new ConcurrentHashMap<>();
  private static final int MAX_VERIFIED = 200_000;

  /**
   * @param registry where heartbeats and decisions live
   * @param clock the time of decisions
   */
  public WorkerKeys(WorkerRegistry registry, Clock clock) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** Accepts the key live worker {@code workerId} announces now. */
  public Outcome accept(String workerId) {
    return decide(workerId, KeyState.ACCEPTED, null);
  }

  /**
   * Accepts the key live worker {@code workerId} announces now, only when its fingerprint ({@link
   * WorkerKey#fingerprint}) is {@code fingerprint} (none checked when null): what the operator read
   * on the worker's host, so that a heartbeat rewritten by someone else is not accepted.
   */
  public Outcome accept(String workerId, String fingerprint) {
    return decide(workerId, KeyState.ACCEPTED, fingerprint);
  }

  /** Rejects the key live worker {@code workerId} announces now. */
  public Outcome reject(String workerId) {
    return decide(workerId, KeyState.REJECTED, null);
  }

  /** Rejects the key live worker {@code workerId} announces now, if its fingerprint is that. */
  public Outcome reject(String workerId, String fingerprint) {
    return decide(workerId, KeyState.REJECTED, fingerprint);
  }

  private Outcome decide(String workerId, KeyState state, String fingerprint) {
    Optional<WorkerInfo> w = registry.workers().stream()
        .filter(i -> i.id().equals(workerId)).findFirst();
    if (w.isEmpty()) {
      return Outcome.UNKNOWN_WORKER;
    }
    String key = w.get().publicKey();
    if (key == null) {
      return Outcome.NO_KEY;
    }
    if (fingerprint != null && !WorkerKey.fingerprint(key).equals(fingerprint)) {
      return Outcome.OTHER_KEY;
    }
    Optional<KeyDecision> now = registry.keyDecision(workerId);
    if (KeyDecision.stateOf(key, now.orElse(null)) == state) {
      return Outcome.ALREADY;
    }
    registry.decideKey(new KeyDecision(workerId, key, state, clock.instant()));
    cache.remove(workerId);
    return Outcome.DONE;
  }

  /** Every decision, by worker id (for listings: one read of all of them). */
  public Map<String, KeyDecision> decisions() {
    return registry.keyDecisions();
  }

  /** The state of the key {@code worker} announces, under {@code decisions}. */
  public static KeyState state(WorkerInfo worker, Map<String, KeyDecision> decisions) {
    return KeyDecision.stateOf(worker.publicKey(), decisions.get(worker.id()));
  }

  /**
   * Whether {@code run} under {@code key} is the answer of the worker it names (null while it has
   * not ended); see {@link WorkerKey#verify}.
   */
  public Verification verify(RunKey key, Run run) {
    if (!run.state().terminal()) {
      return null;
    }
    Cached c = run.worker() == null || run.signature() == null ? null : cached(run.worker());
    KeyDecision d = c == null ? null : c.decision.orElse(null);
    if (d == null || d.state() != KeyState.ACCEPTED) {
      return WorkerKey.verify(key, run, d);
    }
    // an Ed25519 verification costs about as much as signing (docs/performance.md): a finished
    // run never changes, so each distinct (end, signature, accepted key) is verified once
    String seen = digest(key, run, d.publicKey());
    Boolean ok = verified.get(seen);
    if (ok != null && ok) {
      return Verification.VERIFIED;
    }
    Verification v = WorkerKey.verify(key, run, d, c.key());
    if (v.verified()) {
      if (verified.size() >= MAX_VERIFIED) {
        verified.clear();
      }
      verified.put(seen, Boolean.TRUE);
    }
    return v;
  }

  private static String digest(RunKey key, Run run, String publicKey) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(RunEnd.bytes(key, run));
      md.update(run.signature().getBytes(StandardCharsets.UTF_8));
      md.update((byte) 0);
      md.update(publicKey.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * The decision on {@code workerId}'s key as read at most {@link #CACHE} ago, its key decoded at
   * most once per read rather than once per end verified.
   */
  private Cached cached(String workerId) {
    long now = System.nanoTime();
    Cached c = cache.get(workerId);
    if (c != null && now - c.until < 0) {
      return c;
    }
    c = new Cached(registry.keyDecision(workerId), now + CACHE.toNanos());
    cache.put(workerId, c);
    if (cache.size() > 100_000) {
      cache.clear(); // bounded: a fleet larger than this reads again
    }
    return c;
  }
}
