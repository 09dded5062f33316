package io.osapi.app.runtime;

import io.osapi.core.domain.WorkerIdInUseException;
import io.osapi.core.service.WorkerService;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs the process's {@link WorkerService}: starts it as soon as the backend is connected (trying
 * again every second until it is, so a worker started before NATS comes up joins by itself), and
 * on stop lets it stop fetching, drain running jobs until the deadline, hand back the rest and
 * deregister. A worker refused because another live process holds its id ({@link
 * WorkerIdInUseException}) is not tried again: at the first try the refusal fails the process's
 * start (exit code 2).
 */
public final class WorkerRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(WorkerRunner.class.getName());

  private final WorkerService worker;
  private final Backend backend;
  private final RetryingStart start;
  private volatile String lastError;

  /**
   * @param worker the worker service
   * @param backend its store and queue, to wait for
   */
  public WorkerRunner(WorkerService worker, Backend backend) {
    this.worker = Objects.requireNonNull(worker, "worker");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.start = new RetryingStart("osapi-worker-starter", this::tryStart);
  }

  @Override
  public String name() {
    return "worker " + worker.config().workerId();
  }

  @Override
  public void start() {
    if (!start.begin()) {
      LOG.log(Level.WARNING, "worker {0} waits for its backend ({1}); retrying every second",
          worker.config().workerId(), backend.describe());
    }
  }

  private boolean tryStart() {
    if (!backend.connected()) {
      return false;
    }
    try {
      worker.start();
      return true;
    } catch (WorkerIdInUseException e) {
      // not a reason to try again: another process holds the id (started first, it answers 2)
      LOG.log(Level.ERROR, "worker {0} cannot start: {1}", worker.config().workerId(),
          e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "worker {0} cannot start yet: {1}", worker.config().workerId(), msg);
      }
      lastError = msg;
      return false;
    }
  }

  @Override
  public void stop(Instant deadline) {
    start.cancel();
    Duration left = Duration.between(Instant.now(), deadline);
    boolean drained = worker.stop(left.isNegative() ? Duration.ZERO : left);
    if (!drained) {
      LOG.log(Level.WARNING, "worker {0}: jobs still running at the drain deadline were handed back",
          worker.config().workerId());
    }
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of("worker");
  }

  @Override
  public boolean healthy() {
    return worker.isRunning();
  }

  @Override
  public List<String> describe() {
    var c = worker.config();
    String labels = c.labels().isEmpty() ? "no labels" : "labels " + c.labels();
    return List.of("worker:   " + c.workerId() + " (concurrency " + c.concurrency() + ", " + labels
        + ")");
  }
}
