package io.osapi.core.service;

import io.osapi.core.domain.Cancellation;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cancellations of the runs one worker is running: {@link #check()} (every {@link
 * WorkerService#CANCEL_CHECK}) reads each of those runs and requests the cancellation of every
 * one the store holds as {@link RunState#CANCELLED} (a controller took a cancel of its job). One
 * read per running run per check, none for jobs that end before the first check: the hot path of
 * a delivery is not touched, and nothing is lost while the worker is away (the cancel is in the
 * run itself).
 */
final class RunCancels {
  private static final System.Logger LOG = System.getLogger(RunCancels.class.getName());

  private final JobStore store;
  private final Map<RunKey, Cancellation> running = new ConcurrentHashMap<>();

  RunCancels(JobStore store) {
    this.store = store;
  }

  /** The cancellation of {@code key}, which this worker starts running now. */
  Cancellation open(RunKey key) {
    Cancellation c = new Cancellation();
    running.put(key, c);
    return c;
  }

  /** {@code key} is not running here any more. */
  void close(RunKey key) {
    running.remove(key);
  }

  /** Looks at every running run once; never throws. */
  void check() {
    for (Map.Entry<RunKey, Cancellation> e : running.entrySet()) {
      if (e.getValue().requested()) {
        continue;
      }
      try {
        Optional<Versioned<Run>> cur = store.run(e.getKey());
        if (cur.isPresent() && cur.get().value().state() == RunState.CANCELLED
            && e.getValue().request()) {
          LOG.log(Level.INFO, "job {0}: cancelled; stopping its operation",
              e.getKey().job());
        }
      } catch (RuntimeException ex) {
        LOG.log(Level.DEBUG, "job {0}: reading the run for a cancel failed: {1}",
            e.getKey().job(), ex.getMessage());
      }
    }
  }
}
