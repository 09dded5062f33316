package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.Cancellation;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationExecution;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.TransientOperationException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One worker's handling of one delivery, from the notification to the settled delivery: claim the
 * run, run the operation, write the run's end by compare-and-set, then ack, term or nak, with the
 * job metrics on the way. {@link WorkerService} calls it from its pool threads.
 */
final class DeliveryProcessor {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());
  /** Runs a step on the calling thread (a pool thread already). */
  private static final Executor DIRECT = Runnable::run;
  private final WorkerConfig config;
  private final RunWriter runs;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final JobTracing tracing;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private final Set<Delivery> running = ConcurrentHashMap.newKeySet();
  private final Set<JobId> runningHere = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private final Admission admission;
  private final RunSettler settler;
  private final RunCancels cancels;

  DeliveryProcessor(WorkerConfig config, RunWriter runs, OperationRegistry operations,
      JobVerifier verifier, JobMetrics metrics, JobTracing tracing, Clock clock,
      BooleanSupplier stopping) {
    this.admission = new Admission(config, operations, verifier, runs, metrics, clock);
    this.tracing = tracing;
    this.settler = new RunSettler(config, runs, metrics, clock, stopping);
    this.config = config;
    this.runs = runs;
    this.operations = operations;
    this.metrics = metrics;
    this.clock = clock;
    this.stopping = stopping;
    this.cancels = new RunCancels(runs.store());
  }

  /** Looks for cancels of the runs running here (see {@link RunCancels}). */
  void checkCancels() {
    cancels.check();
  }

  /** Deliveries being run right now (for in-progress acks). */
  Set<Delivery> running() {
    return running;
  }

  /** The jobs being run right now (for the heartbeat). */
  List<JobId> runningJobs() {
    return List.copyOf(runningHere);
  }

  /** Jobs being run right now. */
  int active() {
    return active.get();
  }

  /**
   * Handles one delivery to the end without blocking the caller (the fetch thread) on the store: a
   * first delivery's claim is sent from here, the operation runs on {@code pool} once the claim is
   * stored (where the claim's answer arrived when it is {@link OperationExecution#INLINE}), and the
   * run's end is written without holding the pool thread; anything slower (a
   * claim that found the run there, a write that failed) is decided on a pool thread by reading
   * the run. Calls {@code done} exactly once, when the delivery is settled or left alone, and
   * {@link DeliveryHold#ran()} before that once the operation has returned.
   */
  void handle(Delivery d, Executor pool, DeliveryHold done) {
    Job job;
    try {
      job = accept(d);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not handle a delivery: {0}", e.toString());
      job = null;
    }
    if (job == null) {
      done.run();
      return;
    }
    Admission.Refusal refusal = admission.check(job);
    if (refusal != null) { // signature, then allow-list: before any claim
      admission.refuse(d, job, refusal, done);
      return;
    }
    Job j = job;
    RunKey key = RunKey.forWorker(job, config.workerId());
    Optional<OperationDefinition> def = operations.find(job.operation().type());
    if (d.deliveryCount() > 1 || runningHere.contains(job.id())) {
      dispatch(pool, d, done, () -> claimAndRun(d, j, def, key, done));
      return;
    }
    Run mine = Run.claim(null, config.workerId(), 1, clock.instant());
    CompletableFuture<Long> claimed;
    try {
      claimed = runs.store().putRun(key, mine, 0);
    } catch (RuntimeException e) {
      claimed = CompletableFuture.failedFuture(e);
    }
    claimed.whenComplete((rev, err) -> {
      if (err != null) {
        dispatch(pool, d, done, () -> claimAndRun(d, j, def, key, done));
      } else if (def.isPresent() && def.get().execution() == OperationExecution.INLINE) {
        runHere(() -> run(d, j, def, key, new Versioned<>(mine, rev), pool, done), done);
      } else {
        dispatch(pool, d, done,
            () -> run(d, j, def, key, new Versioned<>(mine, rev), DIRECT, done));
      }
    });
  }

  /**
   * Reads the notification and decides whether this worker is to run it: poison is terminated, a
   * broadcast not expecting this worker acknowledged.
   *
   * @return the job, or null when the delivery is settled already
   */
  private Job accept(Delivery d) {
    JobNotification n;
    try {
      n = d.notification();
    } catch (CorruptRecordException e) {
      poison(d, e.getMessage());
      return null;
    }
    Job job = n.job();
    if (!n.expects(config.workerId())) {
      LOG.log(Level.INFO, "job {0} ({1}) does not expect worker {2} (it registered after the"
          + " submit); left alone", job.id(), job.target().text(), config.workerId());
      d.ack();
      return null;
    }
    if (d.deliveryCount() > 1) {
      metrics.jobRedelivered(job.operation().type());
    }
    return job;
  }

  private void dispatch(Executor pool, Delivery d, Runnable done, Runnable task) {
    try {
      pool.execute(() -> runHere(task, done));
    } catch (RejectedExecutionException e) {
      // stopping: the queue delivers it again (to another worker, or to this one later)
      d.nak(Duration.ZERO);
      done.run();
    }
  }

  /** Runs {@code task} on this thread; what it throws is logged and ends the delivery's handling. */
  private static void runHere(Runnable task, Runnable done) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "handling a delivery failed: {0}", e.toString());
      done.run();
    }
  }

  /** Claims by reading the run (see {@link RunWriter#claim}), then runs; on a pool thread. */
  private void claimAndRun(Delivery d, Job job, Optional<OperationDefinition> def, RunKey key,
      DeliveryHold done) {
    RunWriter.Claim claim;
    try {
      claim = runs.claim(key, d.deliveryCount(), runningHere.contains(job.id()));
    } catch (StoreFullException e) {
      // no room for the claim: looked at again after an ack wait, not every retry delay; its
      // deliveries run out and the dead-letter handler fails it with the reason
      LOG.log(Level.WARNING, "could not claim job {0}, handing it back for an ack wait: {1}",
          job.id(), e.getMessage());
      d.nak(config.ackWait());
      done.run();
      return;
    } catch (BackendUnavailableException e) {
      // the store cannot be reached: each hand-back spends one of the job's deliveries, so each
      // waits longer, and the deliveries outlast an outage instead of a few retry delays
      Duration wait = unreachableWait(config, d.deliveryCount());
      LOG.log(Level.WARNING, "could not claim job {0}, the store is unreachable; handing it back"
          + " for {1} ms: {2}", job.id(), wait.toMillis(), e.getMessage());
      d.nak(wait);
      done.run();
      return;
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not claim job {0}, handing it back: {1}", job.id(),
          e.getMessage());
      d.nak(config.retryDelay());
      done.run();
      return;
    }
    switch (claim.status()) {
      case DONE -> {
        d.ack();
        done.run();
      }
      case BUSY -> {
        LOG.log(Level.DEBUG, "job {0} is held by another delivery; looking again later", job.id());
        d.nak(config.ackWait());
        done.run();
      }
      default -> run(d, job, def, key, claim.run(), DIRECT, done);
    }
  }

  /**
   * How long a job whose claim found the store unreachable waits before its next delivery, after
   * delivery {@code deliveryCount}: the retry delay, four times longer with each delivery spent, at
   * most an ack wait. With the defaults the deliveries of a job outlast an outage of about a
   * minute rather than a few seconds (a job failed for an outage it never ran in).
   */
  static Duration unreachableWait(WorkerConfig config, int deliveryCount) {
    long base = Math.max(1, config.retryDelay().toMillis());
    long cap = Math.max(base, config.ackWait().toMillis());
    return new Backoff(Duration.ofMillis(base), Duration.ofMillis(cap), 4, 0)
        .delay(deliveryCount - 1);
  }

  /**
   * Runs the operation of a claimed job and writes its end: on a pool thread, or where its claim's
   * answer arrived for an {@link OperationExecution#INLINE} operation.
   *
   * @param def the job's operation as registered here (empty: not known to this worker)
   * @param blocking where a step that waits for the store runs: {@link #DIRECT} on a pool thread,
   *     the pool otherwise
   */
  private void run(Delivery d, Job job, Optional<OperationDefinition> def, RunKey key,
      Versioned<Run> held, Executor blocking, DeliveryHold done) {
    String op = job.operation().type();
    int attempt = d.deliveryCount();
    if (def.isEmpty()) {
      String msg = "operation " + op + " is not known to worker " + config.workerId();
      Run failed = runs.signed(key,
          held.value().finish(RunState.FAILED, null, msg, true, clock.instant()));
      if (settler.write(d, key, held, failed) == RunWriter.WriteStatus.WRITTEN) {
        d.term();
        metrics.jobDeadLettered(op);
      }
      done.run();
      return;
    }
    // one span per run: a redelivery is a new span under the same create
    JobSpan span = tracing.jobProcess(job, d.notification().trace(),
        new JobTracing.ProcessRun(config.workerId(), attempt, d.destination()));
    span.event("run.claimed");
    running.add(d);
    runningHere.add(job.id());
    active.incrementAndGet();
    Cancellation cancellation = cancels.open(key);
    AtomicBoolean returned = new AtomicBoolean();
    Runnable ran = () -> { // the operation returned: no longer running, its end being written
      if (returned.compareAndSet(false, true)) {
        active.decrementAndGet();
        metrics.jobReturned(op);
        done.ran();
      }
    };
    Runnable finished = () -> {
      span.end();
      cancels.close(key);
      running.remove(d); // in-progress acks go on until the delivery is settled
      runningHere.remove(job.id());
      ran.run();
      done.run();
    };
    try (JobSpan.Scope active = span.activate()) { // exemplars and log lines of this run
      execute(d, job, key, held, def.get(), span, cancellation, blocking, ran, finished);
    }
  }

  /** Runs the operation and settles the delivery; with the run's span active. */
  private void execute(Delivery d, Job job, RunKey key, Versioned<Run> held,
      OperationDefinition def, JobSpan span, Cancellation cancellation, Executor blocking,
      Runnable ran, Runnable finished) {
    String op = job.operation().type();
    int attempt = d.deliveryCount();
    if (attempt > 1) {
      LOG.log(Level.INFO, "job {0}: delivery {1} runs on worker {2}", job.id(), attempt,
          config.workerId());
    }
    Instant start = clock.instant();
    metrics.jobStarted(op, attempt == 1 ? nonNegative(job.created(), start) : null);
    long t0 = System.nanoTime();
    JobOutcome outcome;
    String result = null;
    String error = null;
    boolean deadLetter = false;
    try {
      result =
          def
              .handler()
              .execute(
                  new OperationContext(job.id(), job.operation(), config.workerId(),
                      config.labels(), attempt, cancellation));
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
    } catch (OperationFailedException e) {
      outcome = JobOutcome.FAILED;
      error = message(e);
      result = e.result();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      outcome = JobOutcome.RELEASED;
      error = "interrupted";
    } catch (Throwable t) { // a handler's Error must not kill the worker
      if (stopping.getAsBoolean() && Thread.currentThread().isInterrupted()) {
        outcome = JobOutcome.RELEASED;
      } else {
        outcome = JobOutcome.FAILED;
      }
      error = message(t);
    }
    if (cancellation.requested()) {
      outcome = JobOutcome.CANCELLED; // the run is cancelled in the store: nothing to write
    }
    Duration took = Duration.ofNanos(System.nanoTime() - t0);
    ran.run();
    // the drain deadline interrupts running jobs to hand them back: settling must not be cut
    // short by that interrupt (an interrupted thread's store write fails at once and the NATS
    // client drops its nak, so the job waited out its ack wait); the flag is set again after
    boolean interrupted = Thread.interrupted();
    try {
      if (outcome == JobOutcome.CANCELLED) {
        span.event("run.cancelled");
        d.ack();
        metrics.jobFinished(op, config.workerId(), outcome, took);
        finished.run();
      } else if (outcome == JobOutcome.RELEASED) {
        span.event("run.released");
        String why = error;
        dispatch(blocking, d, finished, () -> { // the release waits for its write
          settler.release(d, key, held, op, why, took);
          finished.run();
        });
      } else {
        if (outcome == JobOutcome.FAILED) {
          span.failed(error);
        }
        settler.finish(d, key, held,
            new RunSettler.Ending(op, outcome, result, error, took, deadLetter, span), finished);
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "settling job {0} failed: {1}", job.id(), e.toString());
      finished.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void poison(Delivery d, String why) {
    LOG.log(Level.WARNING, "poison notification, terminated: {0}", why);
    d.term();
    metrics.jobDeadLettered("other");
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

  /**
   * Takes no more retries; those under way finish (they give up once the worker is stopping).
   * Called by the worker when it stops.
   */
  void close() {
    settler.close();
  }
}
