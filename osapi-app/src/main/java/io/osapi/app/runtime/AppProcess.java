package io.osapi.app.runtime;

import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.config.ProcessKind;
import io.osapi.core.concurrent.DaemonThreads;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * One osapi process (controller, worker or all-in-one): its parts, started in order and stopped in
 * reverse order, then the metrics flushed and the backend closed.
 *
 * <p>Parts are listed in start order: servers and the worker before the API, so that on stop the
 * API stops taking requests first, then the worker stops taking jobs and drains the running ones
 * (until the drain deadline) and deregisters, then the metrics endpoint closes, the metrics are
 * flushed and the backend (NATS) is closed. Readiness is re-evaluated every second.
 */
public final class AppProcess {
  private static final System.Logger LOG = System.getLogger(AppProcess.class.getName());

  private final ProcessKind kind;
  private final List<Managed> parts;
  private final Backend backend;
  private final MetricsShutdown metrics;
  private final ReadinessMonitor readiness;
  private final LifecycleSettings lifecycle;
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final List<Managed> running = new ArrayList<>();
  private ScheduledExecutorService ticker;
  private State state = State.NEW;

  private enum State {
    NEW,
    RUNNING,
    STOPPED
  }

  /**
   * @param kind what the process is
   * @param parts its parts in start order
   * @param backend the store/queue backend, closed last
   * @param metrics the metrics backend, flushed and closed before the backend
   * @param readiness the readiness of the process
   * @param lifecycle drain and refresh timing
   */
  public AppProcess(
      ProcessKind kind,
      List<Managed> parts,
      Backend backend,
      MetricsShutdown metrics,
      ReadinessMonitor readiness,
      LifecycleSettings lifecycle) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.parts = List.copyOf(parts);
    this.backend = Objects.requireNonNull(backend, "backend");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
    readiness.track(this.parts);
  }

  /** What the process is. */
  public ProcessKind kind() {
    return kind;
  }

  /**
   * Starts every part in order. If one fails, those already started are stopped again, the
   * backend is closed and the failure is thrown.
   *
   * @throws Exception the first part's failure
   */
  public synchronized void start() throws Exception {
    if (state != State.NEW) {
      throw new IllegalStateException("process was started already");
    }
    for (Managed p : parts) {
      try {
        p.start();
        running.add(p);
      } catch (Exception e) {
        LOG.log(Level.ERROR, "{0} failed to start: {1}", p.name(), e.toString());
        stopParts(Instant.now().plusSeconds(5));
        closeQuietly();
        state = State.STOPPED;
        stopped.countDown();
        throw e;
      }
    }
    state = State.RUNNING;
    readiness.started(true);
    ticker =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.single("osapi-readiness"));
    long every = lifecycle.readinessInterval().toMillis();
    ticker.scheduleWithFixedDelay(this::tick, every, every, TimeUnit.MILLISECONDS);
    LOG.log(Level.INFO, "{0} started", kind.label());
  }

  private void tick() {
    try {
      readiness.refresh();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "readiness check failed: {0}", e.toString());
    }
  }

  /**
   * Stops the process: parts in reverse order within the drain timeout, then metrics and backend.
   * Idempotent; later calls return at once.
   *
   * @return true when this call did the stopping
   */
  public boolean stop() {
    synchronized (this) {
      if (state != State.RUNNING) {
        if (state == State.NEW) {
          state = State.STOPPED;
          closeQuietly();
          stopped.countDown();
        }
        return false;
      }
      state = State.STOPPED;
    }
    LOG.log(Level.INFO, "{0} stopping (drain timeout {1})", kind.label(),
        lifecycle.drainTimeout());
    ticker.shutdownNow();
    readiness.started(false);
    stopParts(Instant.now().plus(lifecycle.drainTimeout()).plus(Duration.ofSeconds(1)));
    closeQuietly();
    LOG.log(Level.INFO, "{0} stopped", kind.label());
    stopped.countDown();
    return true;
  }

  private void stopParts(Instant deadline) {
    List<Managed> reverse = new ArrayList<>(running);
    java.util.Collections.reverse(reverse);
    for (Managed p : reverse) {
      try {
        p.stop(deadline);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "{0} failed to stop cleanly: {1}", p.name(), e.toString());
      }
    }
    running.clear();
  }

  private void closeQuietly() {
    try {
      metrics.flushAndClose();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "flushing metrics failed: {0}", e.toString());
    }
    try {
      backend.close();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "closing the backend failed: {0}", e.toString());
    }
  }

  /** Blocks until the process has stopped. */
  public void awaitStopped() throws InterruptedException {
    stopped.await();
  }

  /** True between a successful start and the stop. */
  public synchronized boolean isRunning() {
    return state == State.RUNNING;
  }

  /** The readiness of this process. */
  public ReadinessMonitor readiness() {
    return readiness;
  }

  /**
   * The banner lines of every part and the backend; lines starting with {@code try:} (something
   * to try, such as a curl command) come last.
   */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    List<String> tries = new ArrayList<>();
    for (Managed p : parts) {
      for (String line : p.describe()) {
        (line.startsWith("try:") ? tries : out).add(line);
      }
    }
    out.add("backend:  " + backend.describe());
    out.addAll(tries);
    return out;
  }
}
