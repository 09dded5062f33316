package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.StoreUsage;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The controller's background refresher: on one scheduled thread, every interval, reads the queue
 * backlog and the worker registry and hands them to {@link FleetMetrics#queueBacklog} and {@link
 * FleetMetrics#workerHeartbeatAges} and {@link FleetMetrics#workersByState}, so scrapes only ever read cached values. Skips a round while the
 * backend is down; a failing round is logged once per distinct error.
 *
 * <p>Each round also measures the job store ({@link JobStore#usage()}, {@link
 * FleetMetrics#jobStore}); while it is full, subsystem {@value #SUBSYSTEM} is down with the reason
 * ({@code /health/ready} 503), and it comes back up once deletes or expiry freed room.
 */
public final class ControllerRefresher implements Managed {
  private static final System.Logger LOG = System.getLogger(ControllerRefresher.class.getName());

  /** The readiness subsystem of the job store's room. */
  public static final String SUBSYSTEM = "store";

  private final Backend backend;
  private final JobStore store;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final FleetMetrics metrics;
  private final Clock clock;
  private final Duration interval;
  private ScheduledExecutorService scheduler;
  private volatile String lastError;
  private volatile StoreUsage usage = StoreUsage.UNBOUNDED;

  /**
   * @param backend to skip rounds while it is down
   * @param store whose usage is measured
   * @param queue where the backlog comes from
   * @param registry where the heartbeats come from
   * @param metrics where the figures go
   * @param clock the time source for heartbeat ages
   * @param interval time between rounds
   */
  public ControllerRefresher(
      Backend backend,
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      FleetMetrics metrics,
      Clock clock,
      Duration interval) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.interval = Objects.requireNonNull(interval, "interval");
  }

  @Override
  public String name() {
    return "controller refresher";
  }

  @Override
  public synchronized void start() {
    if (scheduler != null) {
      return;
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.single("osapi-refresher"));
    scheduler.scheduleWithFixedDelay(
        this::refreshNow, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round: backlog and heartbeat ages. Never throws. */
  public void refreshNow() {
    if (!backend.connected()) {
      return;
    }
    measureStore();
    try {
      QueueBacklog b = queue.backlog();
      metrics.queueBacklog(b.pending(), b.ackPending());
      List<WorkerInfo> workers = registry.workers();
      Instant now = clock.instant();
      Map<String, Duration> ages = new HashMap<>();
      for (WorkerInfo w : workers) {
        Duration age = Duration.between(w.lastHeartbeat(), now);
        ages.put(w.id(), age.isNegative() ? Duration.ZERO : age);
      }
      metrics.workerHeartbeatAges(ages);
      Map<SchedulingState, Long> states = new EnumMap<>(SchedulingState.class);
      for (WorkerInfo w : workers) {
        states.merge(w.state(), 1L, Long::sum);
      }
      metrics.workersByState(states);
      lastError = null;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "background refresh failed: {0}", msg);
      }
      lastError = msg;
    }
  }

  /** Measures the job store; logs when it becomes full and when it has room again. */
  private void measureStore() {
    StoreUsage u;
    try {
      u = store.usage();
    } catch (RuntimeException e) {
      return; // the backend went away meanwhile: the next round measures again
    }
    StoreUsage before = usage;
    usage = u;
    metrics.jobStore(u);
    if (u.full() && !before.full()) {
      LOG.log(Level.WARNING, "{0}: new jobs are refused (507) until deletes or --job-ttl free"
          + " room", u.reason());
    } else if (!u.full() && before.full()) {
      LOG.log(Level.INFO, "the job store has room again ({0} of {1} bytes): new jobs are taken",
          u.bytes(), u.maxBytes());
    }
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of(SUBSYSTEM);
  }

  @Override
  public boolean healthy() {
    return !usage.full();
  }

  @Override
  public Optional<String> problem() {
    StoreUsage u = usage;
    return u.full() ? Optional.of(u.reason()) : Optional.empty();
  }

  @Override
  public void stop(Instant deadline) {
    ScheduledExecutorService s;
    synchronized (this) {
      s = scheduler;
      scheduler = null;
    }
    if (s != null) {
      s.shutdownNow();
    }
  }
}
