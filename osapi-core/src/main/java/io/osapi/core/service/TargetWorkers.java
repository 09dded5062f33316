package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Which registered workers a new job is for, read from the heartbeat registry at submit: a
 * broadcast target's expected workers are the ready ones it matches that allow the job's
 * operation ({@link WorkerInfo#policy()}); an {@code _any} job is refused when live workers are
 * registered and none of them allows it (with none registered it waits in the queue, as before).
 * The registry is read for every broadcast create (the registry may reuse a read of its own a
 * bounded time for other processes' writes: {@link WorkerRegistry#roster()}); for {@code _any}
 * creates the reading is kept for {@link #ANY_CACHE}. A refusal is made on a fresh reading only
 * ({@link WorkerRegistry#forgetReads()} first). An {@code _any} create does not
 * wait for an unavailable registry: its check is a courtesy (each worker refuses what its
 * allow-list does not name), so the job is queued on the last reading, or on none, rather than
 * held or refused while the registry's bucket is away and the job store is not.
 */
final class TargetWorkers {
  /** How long an {@code _any} create uses the registry's reading of an earlier one. */
  static final Duration ANY_CACHE = Duration.ofSeconds(2);

  private static final Logger LOG = System.getLogger(TargetWorkers.class.getName());

  private record Reading(List<WorkerInfo> workers, long until) {}

  private final WorkerRegistry registry;
  private volatile Reading cached;

  TargetWorkers(WorkerRegistry registry) {
    this.registry = registry;
  }

  /**
   * The registered workers a broadcast target matches, sorted, leaving out those draining or
   * cordoned (by their heartbeat, or a drain request they have not seen yet) and those whose
   * allow-list does not name {@code def}; none for {@code _any} (then {@link
   * #requireSomeoneAllows} is checked).
   *
   * @throws InvalidInputException when no registered ready worker matches a broadcast target, or
   *     none of those that match allows the operation
   */
  List<String> expected(Target target, OperationDefinition def) {
    if (target instanceof Target.Any) {
      requireSomeoneAllows(def);
      return List.of();
    }
    try {
      return match(target, def);
    } catch (InvalidInputException e) {
      registry.forgetReads(); // a refusal rests on a fresh read only
      return match(target, def);
    }
  }

  private List<String> match(Target target, OperationDefinition def) {
    List<String> out = new ArrayList<>();
    int refusing = 0;
    Set<String> draining = null;
    for (WorkerInfo w : registry.workers()) {
      if (w.state() != SchedulingState.READY) {
        continue;
      }
      if (draining == null) {
        draining = registry.drainRequests();
      }
      if (draining.contains(w.id())) {
        continue;
      }
      boolean match;
      if (target instanceof Target.Host h) {
        match = w.id().equals(h.workerId());
      } else if (target instanceof Target.Label l) {
        match = l.matches(w.labels().get(l.key()));
      } else {
        match = true; // _all
      }
      if (match && def != null && !w.policy().allows(def)) {
        refusing++;
      } else if (match) {
        out.add(w.id());
      }
    }
    if (out.isEmpty() && refusing > 0) {
      throw new InvalidInputException("operation.type", notAllowed(def, refusing == 1
          ? "the one live worker target " + target.text() + " reaches does not allow it"
          : "none of the " + refusing + " live workers target " + target.text()
              + " reaches allows it"));
    }
    if (out.isEmpty()) {
      String why = target instanceof Target.Host h
          ? "no registered ready worker has id '" + h.workerId() + "'"
          : target instanceof Target.Label l
              ? "no registered ready worker has a label matching '" + l.text() + "'"
              : "no ready worker is registered to run an _all job";
      throw new InvalidInputException("target", why);
    }
    out.sort(null);
    return List.copyOf(out);
  }

  /**
   * Refuses an {@code _any} job of {@code def} when live workers are registered and none of
   * them allows it.
   *
   * @throws InvalidInputException then
   */
  void requireSomeoneAllows(OperationDefinition def) {
    Reading r = cached;
    if (r == null || System.nanoTime() - r.until >= 0 || !allowed(r.workers, def)) {
      List<WorkerInfo> workers;
      try {
        workers = registry.workers();
        if (!allowed(workers, def)) {
          registry.forgetReads(); // a refusal rests on a fresh read only
          workers = registry.workers();
        }
      } catch (BackendUnavailableException e) {
        LOG.log(Level.DEBUG, "an _any job of {0} is queued without reading the registered"
            + " workers: {1}", def.type(), e.getMessage());
        return;
      }
      r = new Reading(workers, System.nanoTime() + ANY_CACHE.toNanos());
      cached = r;
      if (!r.workers.isEmpty() && !allowed(r.workers, def)) {
        throw new InvalidInputException("operation.type", notAllowed(def,
            "none of the " + r.workers.size() + " live workers allows it"));
      }
    }
  }

  private static boolean allowed(List<WorkerInfo> workers, OperationDefinition def) {
    for (WorkerInfo w : workers) {
      if (w.policy().allows(def)) {
        return true;
      }
    }
    return workers.isEmpty();
  }

  private static String notAllowed(OperationDefinition def, String why) {
    return "operation " + def.type() + " is not allowed here: " + why + " (a worker runs only"
        + " what its --allow-operations names; by default every operation that is not"
        + " privileged)";
  }
}
