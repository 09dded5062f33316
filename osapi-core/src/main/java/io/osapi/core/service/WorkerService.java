package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerProcess;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.DeliveryHandler;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobTracing;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A worker: fetches job notifications, runs the operations and writes status events and results.
 *
 * <p>One bounded pool of {@code concurrency} threads runs jobs, and {@code concurrency} slots bound
 * the deliveries out at once: the consumer hands each delivery over with a slot taken for it
 * ({@link JobConsumer#deliver}), on its own threads as deliveries arrive where it can, and the
 * worker gives the slot back once the operation has returned (the end is then written and the
 * delivery settled on one of {@code concurrency} settling places, so the next job runs meanwhile)
 * or, with every settling place taken, once the delivery is settled. Per delivery: the notification says
 * what to run (unreadable: poison, terminated and dead-lettered); a privileged job's signature
 * ({@link Builder#verifier}) and then the allow-list ({@link WorkerConfig#allowed()}) are
 * checked, and a job refused by either is failed once without running; the worker claims the
 * job's run by
 * compare-and-set (a run already finished is acknowledged without running it again; one another
 * holder may still run is looked at again after an ack wait); the handler runs, with in-progress
 * acks; its end is written by one more compare-and-set, result included; the delivery is settled
 * last. A {@link TransientOperationException} hands the job back with a delay until the last
 * allowed delivery, which fails and dead-letters it; any other exception fails the job at once.
 * See "Claims, take-overs and writes whose outcome is unknown" in docs/architecture.md.
 *
 * <p>{@link #stop(Duration)} stops fetching and closes the consumer, lets running jobs finish
 * until the deadline, hands back the rest, and removes the worker from the registry.
 *
 * <p>Drain and cordon: the worker looks for a drain request ({@link
 * WorkerRegistry#drainRequested}) when it starts and every {@link #DRAIN_CHECK} after. Requested,
 * it is {@link SchedulingState#DRAINING}: it closes its consumer at once (so the queue stops
 * routing jobs to the pull requests it had open; a delivery handed over as the request came goes
 * straight back), finishes what it runs, then is {@link SchedulingState#CORDONED}. Withdrawn, it
 * is {@link SchedulingState#READY}, opens its consumer again and takes jobs. A
 * worker that starts with a request pending starts cordoned. Its state goes into its heartbeat,
 * sent again at each change.
 *
 * <p>One id, one live process: {@link #start()} registers the worker ({@link
 * WorkerRegistry#register}) before it opens a consumer, and is refused with {@link
 * io.osapi.core.domain.WorkerIdInUseException} while another live process holds the id.
 */
public final class WorkerService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());

  /** How often a worker looks whether a run it runs was cancelled (see {@link JobClient#cancel}). */
  public static final Duration CANCEL_CHECK = Duration.ofMillis(500);

  /** How often a worker looks for a drain request (at most: its heartbeat interval if shorter). */
  public static final Duration DRAIN_CHECK = Duration.ofSeconds(1);

  private final WorkerConfig config;
  private final JobStore store;
  private final WorkerRegistry registry;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  private final WorkerKey key;

  private final Semaphore slots;
  /** Deliveries whose operation returned and whose end is being written ({@link DeliveryHold}). */
  private final Semaphore settling;
  private final DeliveryHandler handler = this::take;
  private final DeliveryProcessor processor;
  private final Object lifecycle = new Object();
  private volatile boolean stopping;
  private volatile boolean started;
  private Instant startedAt;
  private WorkerProcess process;
  private ExecutorService pool;
  private ScheduledExecutorService ticker;
  /**
   * Drain and cancel checks, on a thread of their own: a slow read never delays in-progress acks.
   */
  private ScheduledExecutorService drainTicker;
  private Thread fetcher;
  private final WorkerScheduling scheduling;

  private WorkerService(Builder b) {
    this.config = b.config;
    this.store = b.broker.store();
    this.registry = b.broker.registry();
    this.operations = b.operations;
    this.metrics = b.metrics;
    this.clock = b.clock;
    this.key = b.key;
    this.slots = new Semaphore(config.concurrency());
    this.settling = new Semaphore(config.concurrency());
    this.processor = new DeliveryProcessor(config,
        new RunWriter(store, config.workerId(), clock, key),
        operations, b.verifier, metrics, b.tracing, clock, () -> stopping);
    this.scheduling = new WorkerScheduling(config, b.broker.queue(), registry, processor::active,
        () -> processor.active() == 0 && slots.availablePermits() == config.concurrency()
            && settling.availablePermits() == config.concurrency(),
        this::heartbeat);
  }

  /**
   * A builder for a worker on {@code broker}: metrics {@link JobMetrics#noop()} and clock {@link
   * Clock#systemUTC()} unless set.
   *
   * @param config how the worker runs (its id, labels, concurrency, deliveries)
   * @param broker where jobs come from and results go (the worker does not close it)
   * @param operations what the worker can run
   */
  public static Builder builder(WorkerConfig config, Broker broker, OperationRegistry operations) {
    return new Builder(config, broker, operations);
  }

  /** Builds a {@link WorkerService}; every setter returns the builder. */
  public static final class Builder {
    private final WorkerConfig config;
    private final Broker broker;
    private final OperationRegistry operations;
    private JobMetrics metrics = JobMetrics.noop();
    private JobTracing tracing = JobTracing.noop();
    private Clock clock = Clock.systemUTC();
    private WorkerKey key;
    private JobVerifier verifier;

    private Builder(WorkerConfig config, Broker broker, OperationRegistry operations) {
      this.config = Objects.requireNonNull(config, "config");
      this.broker = Objects.requireNonNull(broker, "broker");
      this.operations = Objects.requireNonNull(operations, "operations");
    }

    /** Where job and worker figures go. */
    public Builder metrics(JobMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Where each run's {@code job.process} span goes (default {@link JobTracing#noop()}). */
    public Builder tracing(JobTracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    /** The time source. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * The key the worker signs the end of every run it writes with; its public key goes into the
     * heartbeat for an operator to accept (docs/operations.md, "Worker keys"). Without one, its
     * ends are unsigned and show as unverified.
     */
    public Builder key(WorkerKey key) {
      this.key = Objects.requireNonNull(key, "key");
      return this;
    }

    /**
     * The controllers' public keys a privileged job's signature is checked with before it is
     * claimed. Without them, every privileged job is refused (bad signature).
     */
    public Builder verifier(JobVerifier verifier) {
      this.verifier = Objects.requireNonNull(verifier, "verifier");
      return this;
    }

    /** The worker, not started ({@link WorkerService#start()}). */
    public WorkerService build() {
      return new WorkerService(this);
    }
  }

  /** Opens the consumers, registers the worker and starts fetching. Idempotent. */
  public void start() {
    synchronized (lifecycle) {
      if (started) {
        return;
      }
      startedAt = clock.instant();
      if (process == null) { // one per service: a start tried again is the same process
        process = WorkerProcess.current();
      }
      // before any durable is touched: a second process with this id stops here
      registry.register(info());
      scheduling.start();
      pool = Executors.newFixedThreadPool(config.concurrency(), DaemonThreads.named("osapi-job"));
      ticker = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("osapi-worker-tick"));
      long hb = config.heartbeatInterval().toMillis();
      ticker.scheduleWithFixedDelay(this::heartbeat, 0, hb, TimeUnit.MILLISECONDS);
      long drainCheck = Math.min(hb, DRAIN_CHECK.toMillis());
      drainTicker =
          Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("osapi-worker-drain"));
      drainTicker.scheduleWithFixedDelay(
          scheduling::checkDrain, drainCheck, drainCheck, TimeUnit.MILLISECONDS);
      drainTicker.scheduleWithFixedDelay(processor::checkCancels, CANCEL_CHECK.toMillis(),
          CANCEL_CHECK.toMillis(), TimeUnit.MILLISECONDS);
      long progress = Math.max(10, config.ackWait().toMillis() / 3);
      ticker.scheduleWithFixedDelay(
          this::progressAcks, progress, progress, TimeUnit.MILLISECONDS);
      // not a daemon: a worker process lives while its fetch loop runs
      fetcher = new Thread(this::fetchLoop, "osapi-fetch-" + config.workerId());
      started = true;
      fetcher.start();
      metrics.workerConnected(config.workerId(), config.concurrency());
      LOG.log(
          Level.INFO,
          "worker {0} started: concurrency {1}, labels {2}, allows {3}",
          config.workerId(),
          config.concurrency(),
          config.labels(),
          config.allowed());
    }
  }

  /**
   * Stops taking jobs (the consumer is closed at once: what it holds goes back to the queue), waits
   * up to {@code drain} for running jobs, hands back those still running, deregisters. Idempotent.
   *
   * @return true when every running job finished within the deadline
   */
  public boolean stop(Duration drain) {
    synchronized (lifecycle) {
      if (!started || stopping) {
        return true;
      }
      stopping = true;
    }
    boolean drained = true;
    try {
      fetcher.interrupt();
      fetcher.join(Math.max(1000, config.fetchWait().toMillis() * 2));
      // before the running jobs end: a slot given back would otherwise ask for more deliveries,
      // and a job handed back at the drain deadline could come straight back to this closing
      // worker and be lost with its subscription until its ack wait ran out
      scheduling.closeConsumer();
      pool.shutdown();
      drained = pool.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
      if (!drained) {
        LOG.log(Level.WARNING, "{0} jobs still running at the drain deadline; handing them back",
            processor.running().size());
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
      }
      // ends still being written (each holds its slot or a settling place until its delivery
      // is settled)
      if (slots.tryAcquire(config.concurrency(), 5, TimeUnit.SECONDS)) {
        slots.release(config.concurrency());
      }
      if (settling.tryAcquire(config.concurrency(), 5, TimeUnit.SECONDS)) {
        settling.release(config.concurrency());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
      drained = false;
    } finally {
      ticker.shutdownNow();
      drainTicker.shutdownNow();
      processor.close();
      scheduling.closeConsumer();
      try {
        registry.deregister(config.workerId());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not deregister worker " + config.workerId(), e);
      }
      metrics.workerDisconnected(config.workerId());
      LOG.log(Level.INFO, "worker {0} stopped", config.workerId());
    }
    return drained;
  }

  /** Stops with a 30 second drain. */
  @Override
  public void close() {
    stop(Duration.ofSeconds(30));
  }

  /** Jobs running right now. */
  public int activeJobs() {
    return processor.active();
  }

  /** Whether the worker takes new jobs (drain and cordon). */
  public SchedulingState state() {
    return scheduling.state();
  }

  /** True between {@link #start()} and {@link #stop(Duration)}. */
  public boolean isRunning() {
    return started && !stopping;
  }

  /** This worker's configuration. */
  public WorkerConfig config() {
    return config;
  }

  private void fetchLoop() {
    int failures = 0;
    while (!stopping) {
      try {
        JobConsumer c = scheduling.openConsumer();
        if (c == null) {
          // draining or cordoned: no new deliveries. The consumer is closed, so the queue stops
          // routing jobs to this worker's open pull requests and gives them to the others.
          Thread.sleep(50);
          continue;
        }
        c.deliver(slots, handler, config.fetchWait());
        failures = 0;
      } catch (InterruptedException e) {
        if (stopping) {
          break;
        }
      } catch (RuntimeException e) {
        if (stopping) {
          break;
        }
        long wait = Backoff.STORE.delayMillis(failures++);
        LOG.log(Level.WARNING, "fetch failed, retrying in " + wait + " ms: " + e.getMessage());
        sleepQuietly(wait);
      }
    }
  }

  /**
   * Each delivery the consumer hands over, on its threads or the fetch thread: run, or handed back
   * at once while draining or stopping (a delivery that arrived as the request came).
   */
  private void take(Delivery d, Runnable done) {
    if (scheduling.state() != SchedulingState.READY || stopping) {
      handBack(d);
      done.run();
      return;
    }
    processor.handle(d, pool, new DeliveryHold(done, settling));
  }

  /** A delivery fetched as the drain request came: handed back at once, unclaimed. */
  private void handBack(Delivery d) {
    try {
      d.nak(Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "handing back a delivery while draining: {0}", e.getMessage());
    }
  }

  /** Synchronized: the drain thread sends one too, and the newest state must be written last. */
  private synchronized void heartbeat() {
    try {
      registry.heartbeat(info());
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat failed: {0}", e.getMessage());
    }
  }

  /** This worker's entry now. */
  private WorkerInfo info() {
    return new WorkerInfo(config.workerId(), config.labels(), startedAt, clock.instant(),
        processor.active(), config.concurrency(), scheduling.state(), process, null,
        key == null ? null : key.publicKey(), config.allowed().globs(), processor.runningJobs());
  }

  private void progressAcks() {
    for (Delivery d : processor.running()) {
      try {
        d.inProgress();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "in-progress ack failed: {0}", e.getMessage());
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
