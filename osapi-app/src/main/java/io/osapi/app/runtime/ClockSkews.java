package io.osapi.app.runtime;

import io.osapi.core.domain.WorkerInfo;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The workers' clock skews ({@link WorkerInfo#clockSkew()}) from one reading of the registry, with
 * a warning in the log when a worker's skew goes past {@link #WARN_AFTER} (once, until it is back
 * within it or the worker leaves). A skewed clock no longer makes a heartbeat look stale or fresh,
 * but the times the worker writes into job timelines and results are off by as much.
 */
final class ClockSkews {
  /** Skew past which a worker's clock is warned about (and alerted on: docs/prometheus). */
  static final Duration WARN_AFTER = Duration.ofSeconds(10);

  private static final System.Logger LOG = System.getLogger(ClockSkews.class.getName());

  private Set<String> warned = new HashSet<>();

  /** The skew of each worker; warns about those newly past the bound. Called from one thread. */
  Map<String, Duration> check(List<WorkerInfo> workers) {
    Map<String, Duration> out = new HashMap<>();
    Set<String> past = new HashSet<>();
    for (WorkerInfo w : workers) {
      Duration skew = w.clockSkew();
      out.put(w.id(), skew);
      if (skew.abs().compareTo(WARN_AFTER) > 0) {
        past.add(w.id());
        if (!warned.contains(w.id())) {
          LOG.log(Level.WARNING, "worker {0}''s clock is {1} s {2} the NATS server''s (more than"
              + " {3} s): heartbeat ages do not depend on it, but the times it writes into job"
              + " timelines do; fix the time sync of {4}", w.id(), Math.round(Math.abs(skew.toMillis()) / 1000.0),
              skew.isNegative() ? "behind" : "ahead of", WARN_AFTER.toSeconds(),
              w.process() == null ? "its host" : "host " + w.process().host());
        }
      }
    }
    warned = past;
    return out;
  }
}
