package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker: fetches job notifications, runs the operations and writes status events and results.
 *
 * <p>One bounded pool of {@code concurrency} threads runs jobs; the fetch loop asks the queue for
 * no more deliveries than there are free slots. Per delivery: the job record is read (missing or
 * unreadable: poison, terminated and dead-lettered); a redelivery of a job already finished (by
 * any worker for {@code _any}, by this worker otherwise) is acknowledged without running it
 * again; then {@code acknowledged} and {@code started} are written, the handler runs (with in-progress acks while it runs), and the result is written
 * before the terminal event; the delivery is settled last. A {@link TransientOperationException}
 * hands the job back with a delay until the last allowed delivery, which fails and dead-letters it;
 * any other exception fails the job at once.
 *
 * <p>{@link #stop(Duration)} stops fetching, lets running jobs finish until the deadline, hands
 * back the rest, and removes the worker from the registry.
 */
public final class WorkerService implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());
  private static final String PID = Long.toString(ProcessHandle.current().pid());
  /** Deliveries of notifications older than this are checked for an earlier finished run. */
  static final Duration REPEAT_CHECK_AGE = Duration.ofSeconds(1);

  private final WorkerConfig config;
  private final JobStore store;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;

  private final Semaphore slots;
  private final Set<Delivery> running = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private final Object lifecycle = new Object();
  private volatile boolean stopping;
  private volatile boolean started;
  private Instant startedAt;
  private ExecutorService pool;
  private ScheduledExecutorService ticker;
  private Thread fetcher;
  private JobConsumer consumer;

  /**
   * @param config how the worker runs
   * @param store where job records, events and results live
   * @param queue where notifications come from
   * @param registry where heartbeats go
   * @param operations what the worker can run
   * @param metrics where job and worker figures go
   * @param clock the time source
   */
  public WorkerService(
      WorkerConfig config,
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock) {
    this.config = Objects.requireNonNull(config, "config");
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.operations = Objects.requireNonNull(operations, "operations");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.slots = new Semaphore(config.concurrency());
  }

  /** Opens the consumers, registers the worker and starts fetching. Idempotent. */
  public void start() {
    synchronized (lifecycle) {
      if (started) {
        return;
      }
      consumer = queue.consumer(config.consumerSpec());
      startedAt = clock.instant();
      pool = Executors.newFixedThreadPool(config.concurrency(), threads("osapi-job-", true));
      ticker = Executors.newSingleThreadScheduledExecutor(threads("osapi-worker-tick-", true));
      long hb = config.heartbeatInterval().toMillis();
      ticker.scheduleWithFixedDelay(this::heartbeat, 0, hb, TimeUnit.MILLISECONDS);
      long progress = Math.max(10, config.ackWait().toMillis() / 3);
      ticker.scheduleWithFixedDelay(
          this::progressAcks, progress, progress, TimeUnit.MILLISECONDS);
      fetcher = threads("osapi-fetch-", false).newThread(this::fetchLoop);
      started = true;
      fetcher.start();
      metrics.workerConnected(config.workerId(), config.concurrency());
      metrics.subsystemUp("worker", true);
      LOG.log(
          Level.INFO,
          "worker {0} started: concurrency {1}, labels {2}",
          config.workerId(),
          config.concurrency(),
          config.labels());
    }
  }

  /**
   * Stops fetching, waits up to {@code drain} for running jobs, hands back those still running,
   * deregisters. Idempotent.
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
      pool.shutdown();
      drained = pool.awaitTermination(drain.toMillis(), TimeUnit.MILLISECONDS);
      if (!drained) {
        LOG.log(Level.WARNING, "{0} jobs still running at the drain deadline; handing them back",
            running.size());
        pool.shutdownNow();
        pool.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      pool.shutdownNow();
      drained = false;
    } finally {
      ticker.shutdownNow();
      consumer.close();
      try {
        registry.deregister(config.workerId());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "could not deregister worker " + config.workerId(), e);
      }
      metrics.workerDisconnected(config.workerId());
      metrics.subsystemUp("worker", false);
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
    return active.get();
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
    long backoffMs = 100;
    while (!stopping) {
      int granted = 0;
      try {
        slots.acquire();
        granted = 1 + slots.drainPermits();
        List<Delivery> batch = consumer.fetch(granted, config.fetchWait());
        backoffMs = 100;
        for (Delivery d : batch) {
          granted--;
          pool.execute(
              () -> {
                try {
                  process(d);
                } finally {
                  slots.release();
                }
              });
        }
      } catch (InterruptedException e) {
        if (stopping) {
          break;
        }
      } catch (RuntimeException e) {
        if (stopping) {
          break;
        }
        LOG.log(Level.WARNING, "fetch failed, retrying in " + backoffMs + " ms: " + e.getMessage());
        sleepQuietly(backoffMs);
        backoffMs = Math.min(1000, backoffMs * 2);
      } finally {
        if (granted > 0) {
          slots.release(granted);
        }
      }
    }
  }

  private void process(Delivery d) {
    Job job;
    try {
      Optional<Job> found = store.find(d.jobId());
      if (found.isEmpty()) {
        poison(d, "job record " + d.jobId() + " is missing");
        return;
      }
      job = found.get();
    } catch (CorruptRecordException e) {
      poison(d, "job record " + d.jobId() + " is unreadable: " + e.getMessage());
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not read job {0}, handing it back: {1}", d.jobId(),
          e.getMessage());
      d.nak(config.retryDelay());
      return;
    }
    String op = job.operation().type();
    int attempt = d.deliveryCount();
    if (attempt > 1) {
      metrics.jobRedelivered(op);
    }
    if (mayBeARepeat(d) && alreadyFinished(job)) {
      d.ack();
      return;
    }
    Optional<OperationDefinition> def = operations.find(op);
    if (def.isEmpty()) {
      String msg = "operation " + op + " is not known to worker " + config.workerId();
      writeOutcome(job, new Outcome(attempt, EventType.FAILED, null, msg, Duration.ZERO, true,
          clock.instant()));
      d.term();
      metrics.jobDeadLettered(op);
      return;
    }
    running.add(d);
    active.incrementAndGet();
    Instant start = clock.instant();
    try {
      store.appendEvent(
          event(job, EventType.ACKNOWLEDGED, start, Map.of("subject", d.subject())));
      store.appendEvent(
          event(job, EventType.STARTED, start,
              Map.of("pid", PID, "attempt", Integer.toString(attempt))));
      metrics.jobStarted(op, attempt == 1 ? nonNegative(job.created(), start) : null);
      long t0 = System.nanoTime();
      JobOutcome outcome;
      String result = null;
      String error = null;
      boolean deadLetter = false;
      try {
        result =
            def.get()
                .handler()
                .execute(
                    new OperationContext(
                        job.id(), job.operation(), config.workerId(), config.labels(), attempt));
        outcome = JobOutcome.COMPLETED;
      } catch (TransientOperationException e) {
        error = message(e);
        if (attempt >= config.maxDeliver()) {
          outcome = JobOutcome.FAILED;
          deadLetter = true;
          error = error + " (gave up after " + attempt + " deliveries)";
        } else {
          outcome = JobOutcome.RELEASED;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        outcome = JobOutcome.RELEASED;
        error = "interrupted";
      } catch (Throwable t) { // a handler's Error must not kill the worker
        if (stopping && Thread.currentThread().isInterrupted()) {
          outcome = JobOutcome.RELEASED;
        } else {
          outcome = JobOutcome.FAILED;
        }
        error = message(t);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      settle(d, job, attempt, outcome, result, error, took, deadLetter);
    } finally {
      running.remove(d);
      active.decrementAndGet();
    }
  }

  private void settle(
      Delivery d,
      Job job,
      int attempt,
      JobOutcome outcome,
      String result,
      String error,
      Duration took,
      boolean deadLetter) {
    String op = job.operation().type();
    if (outcome == JobOutcome.RELEASED) {
      release(d, job, error);
      metrics.jobFinished(op, config.workerId(), outcome, took);
      return;
    }
    EventType terminal = outcome == JobOutcome.COMPLETED ? EventType.COMPLETED : EventType.FAILED;
    Outcome written =
        new Outcome(attempt, terminal, result, error, took, deadLetter, clock.instant());
    try {
      writeOutcome(job, written);
    } catch (RuntimeException e) {
      if (!retryOutcome(d, job, written, e)) {
        // The run itself finished and is counted as such; whether its outcome was stored is not
        // known (a write that timed out may have been stored after all). Handing the delivery
        // back lets the next one find a stored result (done, not run again) or run the job
        // again, which is then a second run and counted as one.
        release(d, job, "could not record the outcome: " + e.getMessage());
        metrics.jobFinished(op, config.workerId(), outcome, took);
        return;
      }
    }
    if (outcome == JobOutcome.COMPLETED) {
      d.ack();
    } else {
      d.term();
    }
    metrics.jobFinished(op, config.workerId(), outcome, took);
    if (deadLetter) {
      metrics.jobDeadLettered(op);
    }
  }

  /**
   * Hands the job back to the queue, recording {@code released} first so the job does not look
   * processing by this worker while it waits for the next delivery.
   */
  private void release(Delivery d, Job job, String why) {
    try {
      store.appendEvent(event(job, EventType.RELEASED, clock.instant(),
          Map.of("reason", why == null ? "released" : why)));
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "could not record the release of job {0}: {1}", job.id(),
          e.getMessage());
    }
    d.nak(stopping ? Duration.ZERO : config.retryDelay());
  }

  /**
   * After a failed outcome write (the store was unreachable, or did not answer in time), writes
   * the same outcome again, with the same time and so the same keys (a write that was stored after
   * all is not stored twice), while this worker still holds the job ({@link Delivery#stillHeld()})
   * and for at most one ack wait, keeping the delivery alive meanwhile. So a job finished just as
   * the store went away is recorded when it comes back instead of run a second time elsewhere.
   *
   * @return true once written; false to hand the job back
   */
  private boolean retryOutcome(Delivery d, Job job, Outcome outcome, RuntimeException first) {
    LOG.log(Level.WARNING, "could not record the outcome of job {0}, trying again: {1}",
        job.id(), first.getMessage());
    long deadline = System.nanoTime() + config.ackWait().toNanos();
    long backoffMs = 100;
    RuntimeException last = first;
    while (!stopping && System.nanoTime() < deadline) {
      sleepQuietly(backoffMs);
      backoffMs = Math.min(1000, backoffMs * 2);
      try {
        d.inProgress();
        if (!d.stillHeld()) {
          LOG.log(Level.WARNING, "job {0} went to another worker meanwhile; handing it back",
              job.id());
          return false;
        }
        writeOutcome(job, outcome);
        LOG.log(Level.INFO, "recorded the outcome of job {0} on a later try", job.id());
        return true;
      } catch (RuntimeException e) {
        last = e;
      }
    }
    LOG.log(Level.WARNING, "could not record the outcome of job {0}, handing it back: {1}",
        job.id(), last.getMessage());
    return false;
  }

  /** What a finished run writes: its result and terminal event, both at {@code at}. */
  private record Outcome(
      int attempt,
      EventType terminal,
      String result,
      String error,
      Duration took,
      boolean deadLetter,
      Instant at) {}

  /** Writes the result, then the terminal event, and waits for both. */
  private void writeOutcome(Job job, Outcome o) {
    CompletableFuture<Void> r =
        store.putResult(
            new JobResult(job.id(), config.workerId(), o.attempt(), o.terminal(), o.result(),
                o.error(), o.at()));
    Map<String, String> data;
    String ms = Long.toString(o.took().toMillis());
    if (o.terminal() == EventType.COMPLETED) {
      data = Map.of("duration_ms", ms, "result_size",
          Integer.toString(o.result() == null ? 0 : o.result().length()));
    } else if (o.deadLetter()) {
      data = Map.of("duration_ms", ms, "error", o.error(), "dead_lettered", "true");
    } else {
      data = Map.of("duration_ms", ms, "error", o.error());
    }
    CompletableFuture<Void> e = store.appendEvent(event(job, o.terminal(), o.at(), data));
    JobClient.await(CompletableFuture.allOf(r, e));
  }

  private void poison(Delivery d, String why) {
    LOG.log(Level.WARNING, "poison notification, terminated: {0}", why);
    d.term();
    metrics.jobDeadLettered("other");
  }

  /**
   * Whether a delivery may repeat one that already ran: a redelivery, or a notification published
   * more than {@link #REPEAT_CHECK_AGE} ago. A server killed with {@code kill -9} can lose its
   * consumers' latest delivered state and deliver again with count 1; such deliveries are old.
   * Fresh first deliveries (the common case when workers keep up) skip the look-up.
   */
  private boolean mayBeARepeat(Delivery d) {
    if (d.fresh()) {
      return false;
    }
    if (d.deliveryCount() > 1) {
      return true;
    }
    Instant published = d.publishedAt();
    return published == null
        || Duration.between(published, clock.instant()).compareTo(REPEAT_CHECK_AGE) > 0;
  }

  /**
   * Whether a redelivered job is done already: for {@code _any} (one worker's job) a terminal event
   * from any worker, else one from this worker. This is what keeps a job whose ack was lost (NATS
   * restarted between the terminal event and the ack) from running twice.
   */
  private boolean alreadyFinished(Job job) {
    boolean oneWorkersJob = job.target() instanceof Target.Any;
    try {
      return store.events(job.id()).stream()
          .anyMatch(e -> e.type().terminal()
              && (oneWorkersJob || e.worker().equals(config.workerId())));
    } catch (RuntimeException e) {
      return false;
    }
  }

  private StatusEvent event(Job job, EventType type, Instant at, Map<String, String> data) {
    return new StatusEvent(job.id(), type, config.workerId(), at, data);
  }

  private void heartbeat() {
    try {
      Instant now = clock.instant();
      registry.heartbeat(
          new WorkerInfo(
              config.workerId(), config.labels(), startedAt, now, active.get(),
              config.concurrency()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "heartbeat failed: {0}", e.getMessage());
    }
  }

  private void progressAcks() {
    for (Delivery d : running) {
      try {
        d.inProgress();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "in-progress ack failed: {0}", e.getMessage());
      }
    }
  }

  private static Duration nonNegative(Instant from, Instant to) {
    Duration d = Duration.between(from, to);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private static String message(Throwable t) {
    String m = t.getMessage();
    String name = t.getClass().getSimpleName();
    if (m == null || m.isBlank()) {
      return name;
    }
    return t instanceof RuntimeException || t instanceof Error ? name + ": " + m : m;
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory threads(String prefix, boolean daemon) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(daemon);
      return t;
    };
  }
}
