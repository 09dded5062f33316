package io.osapi.app.runtime;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.JobStore;
import io.osapi.core.service.JobIndex;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the controller's {@link JobIndex}, the view job listings and stats read: starts watching
 * the store (the watch starts its replay once the backend is there), and every second drops the
 * jobs the store's retention has dropped and reports the index's size and lag ({@link
 * FleetMetrics#jobIndex}) and, once it has caught up, the jobs not started by operation ({@link
 * FleetMetrics#jobQueues}: the registered operations and {@code other}). Counts towards readiness as subsystem {@value #SUBSYSTEM}: not ready,
 * with the reason, until the replay at start is complete.
 */
public final class JobIndexRunner implements Managed {
  /** The readiness subsystem. */
  public static final String SUBSYSTEM = "index";

  private final JobIndex index;
  private final JobStore store;
  private final FleetMetrics metrics;
  private final Duration interval;
  private final Set<String> operations;
  private ScheduledExecutorService ticker;
  private volatile long started;

  /**
   * @param index the index the job client reads
   * @param store the store it watches
   * @param metrics where size and lag go
   * @param interval time between expiry and metrics rounds
   * @param operations the registered operations (the labels of the queue gauges)
   */
  public JobIndexRunner(JobIndex index, JobStore store, FleetMetrics metrics, Duration interval,
      Set<String> operations) {
    this.index = Objects.requireNonNull(index, "index");
    this.store = Objects.requireNonNull(store, "store");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.interval = Objects.requireNonNull(interval, "interval");
    this.operations = Set.copyOf(operations);
  }

  @Override
  public String name() {
    return "job index";
  }

  @Override
  public synchronized void start() {
    if (ticker != null) {
      return;
    }
    started = System.nanoTime();
    index.watch(store);
    ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.single("osapi-job-index"));
    ticker.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One round: expiry, then size and lag. Never throws. */
  void tick() {
    try {
      index.retention(store.retention());
      index.expire();
      metrics.jobIndex(index.size(), index.behind());
      if (index.isCaughtUp()) {
        metrics.jobQueues(index.queues(operations));
      }
    } catch (RuntimeException e) {
      System.getLogger(JobIndexRunner.class.getName()).log(System.Logger.Level.WARNING,
          "job index round failed", e);
    }
  }

  @Override
  public void stop(Instant deadline) {
    ScheduledExecutorService t;
    synchronized (this) {
      t = ticker;
      ticker = null;
    }
    if (t != null) {
      t.shutdownNow();
    }
    index.close();
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of(SUBSYSTEM);
  }

  @Override
  public boolean healthy() {
    return index.isCaughtUp();
  }

  @Override
  public Optional<String> problem() {
    if (index.isCaughtUp()) {
      return Optional.empty();
    }
    long secs = started == 0 ? 0 : TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
    return Optional.of("the job index is reading the job store (" + index.applied()
        + " writes read, " + index.behind() + " to go, " + secs + " s)");
  }

  @Override
  public List<String> describe() {
    return List.of("job index: listings and stats from memory, kept by a watch of the store");
  }
}
