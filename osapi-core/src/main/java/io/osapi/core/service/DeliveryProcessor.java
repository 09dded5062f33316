package io.osapi.core.service;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.Cancellation;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
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
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One worker's handling of one delivery, from the notification to the settled delivery: claim the
 * run, run the operation, write the run's end by compare-and-set, then ack, term or nak, with the
 * job metrics on the way. {@link WorkerService} calls it from its pool threads.
 */
final class DeliveryProcessor {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());
  /**
   * Settles ends whose write failed (reads, back-off sleeps): never on a store thread. Its threads
   * end after a minute without work; {@link #close()} shuts it down when the worker stops.
   */
  private final ExecutorService retry =
      Executors.newCachedThreadPool(DaemonThreads.named("osapi-settle-retry"));

  private final WorkerConfig config;
  private final RunWriter runs;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private final Set<Delivery> running = ConcurrentHashMap.newKeySet();
  private final Set<JobId> runningHere = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();
  private final Admission admission;
  private final RunCancels cancels;

  DeliveryProcessor(WorkerConfig config, RunWriter runs, OperationRegistry operations,
      JobVerifier verifier, JobMetrics metrics, Clock clock, BooleanSupplier stopping) {
    this.admission = new Admission(config, operations, verifier, runs, metrics, clock);
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

  /** Jobs being run right now. */
  int active() {
    return active.get();
  }

  /**
   * Handles one delivery to the end without blocking the caller (the fetch thread) on the store: a
   * first delivery's claim is sent from here, the operation runs on {@code pool} once the claim is
   * stored, and the run's end is written without holding the pool thread; anything slower (a
   * claim that found the run there, a write that failed) is decided on a pool thread by reading
   * the run. Calls {@code done} exactly once, when the delivery is settled or left alone.
   */
  void handle(Delivery d, Executor pool, Runnable done) {
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
    if (d.deliveryCount() > 1 || runningHere.contains(job.id())) {
      dispatch(pool, d, done, () -> claimAndRun(d, j, key, done));
      return;
    }
    Run mine = Run.claim(null, config.workerId(), 1, clock.instant());
    CompletableFuture<Long> claimed;
    try {
      claimed = runs.store().putRun(key, mine, 0);
    } catch (RuntimeException e) {
      claimed = CompletableFuture.failedFuture(e);
    }
    claimed.whenComplete((rev, err) -> dispatch(pool, d, done, err == null
        ? () -> run(d, j, key, new Versioned<>(mine, rev), done)
        : () -> claimAndRun(d, j, key, done)));
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
      pool.execute(() -> {
        try {
          task.run();
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "handling a delivery failed: {0}", e.toString());
          done.run();
        }
      });
    } catch (RejectedExecutionException e) {
      // stopping: the queue delivers it again (to another worker, or to this one later)
      d.nak(Duration.ZERO);
      done.run();
    }
  }

  /** Claims by reading the run (see {@link RunWriter#claim}), then runs; on a pool thread. */
  private void claimAndRun(Delivery d, Job job, RunKey key, Runnable done) {
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
      default -> run(d, job, key, claim.run(), done);
    }
  }

  /** Runs the operation of a claimed job and writes its end; on a pool thread. */
  private void run(Delivery d, Job job, RunKey key, Versioned<Run> held, Runnable done) {
    String op = job.operation().type();
    int attempt = d.deliveryCount();
    Optional<OperationDefinition> def = operations.find(op);
    if (def.isEmpty()) {
      String msg = "operation " + op + " is not known to worker " + config.workerId();
      Run failed = runs.signed(key,
          held.value().finish(RunState.FAILED, null, msg, true, clock.instant()));
      if (write(d, key, held, failed) == RunWriter.WriteStatus.WRITTEN) {
        d.term();
        metrics.jobDeadLettered(op);
      }
      done.run();
      return;
    }
    running.add(d);
    runningHere.add(job.id());
    active.incrementAndGet();
    Cancellation cancellation = cancels.open(key);
    Runnable finished = () -> {
      cancels.close(key);
      running.remove(d);
      runningHere.remove(job.id());
      active.decrementAndGet();
      done.run();
    };
    Instant start = clock.instant();
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
    // the drain deadline interrupts running jobs to hand them back: settling must not be cut
    // short by that interrupt (an interrupted thread's store write fails at once and the NATS
    // client drops its nak, so the job waited out its ack wait); the flag is set again after
    boolean interrupted = Thread.interrupted();
    try {
      if (outcome == JobOutcome.CANCELLED) {
        d.ack();
        metrics.jobFinished(op, config.workerId(), outcome, took);
        finished.run();
      } else if (outcome == JobOutcome.RELEASED) {
        release(d, key, held, op, error, took);
        finished.run();
      } else {
        finish(d, key, held, new Ending(op, outcome, result, error, took, deadLetter), finished);
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

  /** What a run ended with. */
  private record Ending(String op, JobOutcome outcome, String result, String error,
      Duration took, boolean deadLetter) {}

  /** Hands the job back: records the release (best effort), then naks. */
  private void release(Delivery d, RunKey key, Versioned<Run> held, String op, String error,
      Duration took) {
    Run released = held.value().release(error == null ? "released" : error, clock.instant());
    RunWriter.WriteStatus w;
    try {
      w = runs.write(key, held, released, d, Duration.ZERO, () -> true);
    } catch (RuntimeException e) {
      w = RunWriter.WriteStatus.UNKNOWN;
    }
    metrics.jobFinished(op, config.workerId(), JobOutcome.RELEASED, took);
    if (w == RunWriter.WriteStatus.SUPERSEDED) {
      superseded(key, op);
    } else {
      // an unrecorded release is harmless: the next delivery takes the run over
      d.nak(stopping.getAsBoolean() ? Duration.ZERO : config.retryDelay());
    }
  }

  /**
   * Writes the run's end by compare-and-set without waiting for it: once stored, the delivery is
   * settled (ack for completed, term for failed) on the store's completion thread; a write that
   * failed is settled by reading the run on the retry thread. Calls {@code finished} at the end.
   */
  private void finish(Delivery d, RunKey key, Versioned<Run> held, Ending e, Runnable finished) {
    RunState terminal = e.outcome() == JobOutcome.COMPLETED ? RunState.COMPLETED : RunState.FAILED;
    Run end = runs.signed(key,
        held.value().finish(terminal, e.result(), e.error(), e.deadLetter(), clock.instant()));
    CompletableFuture<Long> f;
    try {
      f = runs.store().putRun(key, end, held.revision());
    } catch (RuntimeException ex) {
      f = CompletableFuture.failedFuture(ex);
    }
    f.whenComplete((rev, err) -> {
      if (err == null) {
        settled(d, key, e, RunWriter.WriteStatus.WRITTEN);
        finished.run();
        return;
      }
      Throwable cause = Futures.unwrap(err);
      try {
        retry.execute(() -> {
          RunWriter.WriteStatus w;
          Ending ending = e;
          try {
            if (cause instanceof StoreFullException full) {
              // no room for the end as it is: end the run failed with the reason, a small write
              // that fits in the room the store keeps for the runs of the jobs it holds
              ending = new Ending(e.op(), JobOutcome.FAILED, null, "the job store is full: this"
                  + " run's end (" + (e.result() == null ? 0 : e.result().length()) + " characters"
                  + " of result) could not be stored: " + full.getMessage(), e.took(),
                  e.deadLetter());
              LOG.log(Level.WARNING, "job {0}: {1}", key.job(), ending.error());
              w = runs.write(key, held, held.value().finish(RunState.FAILED, null,
                  ending.error(), e.deadLetter(), clock.instant()), d, patience(), stopping);
            } else {
              w = runs.afterFailure(key, held, end, d, patience(), stopping, cause);
            }
          } catch (RuntimeException ex) {
            w = RunWriter.WriteStatus.UNKNOWN;
          }
          settled(d, key, ending, w);
          finished.run();
        });
      } catch (RejectedExecutionException ex) {
        settled(d, key, e, RunWriter.WriteStatus.UNKNOWN);
        finished.run();
      }
    });
  }

  /**
   * Settles the delivery as the end's write turned out: ack or term once written; left alone
   * when superseded (another delivery took the job over: not this worker's any more); handed back
   * when not known.
   */
  private void settled(Delivery d, RunKey key, Ending e, RunWriter.WriteStatus w) {
    switch (w) {
      case WRITTEN -> {
        if (e.outcome() == JobOutcome.COMPLETED) {
          d.ack();
        } else {
          d.term();
        }
        metrics.jobFinished(e.op(), config.workerId(), e.outcome(), e.took());
        if (e.deadLetter()) {
          metrics.jobDeadLettered(e.op());
        }
      }
      case SUPERSEDED -> {
        metrics.jobFinished(e.op(), config.workerId(), JobOutcome.RELEASED, e.took());
        superseded(key, e.op());
      }
      default -> {
        // The run finished and is counted as such; whether its end was stored is not known.
        // The next delivery finds it stored (done, not run again) or takes the run over and
        // runs it again, which is then a second run and counted as one.
        LOG.log(Level.WARNING, "could not record the end of job {0}; handing it back", key.job());
        metrics.jobFinished(e.op(), config.workerId(), e.outcome(), e.took());
        d.nak(stopping.getAsBoolean() ? Duration.ZERO : config.retryDelay());
      }
    }
  }

  private RunWriter.WriteStatus write(Delivery d, RunKey key, Versioned<Run> held, Run next) {
    try {
      return runs.write(key, held, next, d, patience(), stopping);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record job {0}: {1}", key.job(), e.getMessage());
      return RunWriter.WriteStatus.UNKNOWN;
    }
  }

  /**
   * How long a worker keeps trying to record a run's end while the store does not answer (keeping
   * the delivery with in-progress acks): three ack waits, at least 30 s. Giving up hands the job
   * back, and a job whose end was never stored then runs a second time elsewhere; a cluster's
   * fail-over or a server restart usually takes less.
   */
  private Duration patience() {
    Duration three = config.ackWait().multipliedBy(3);
    return three.compareTo(Duration.ofSeconds(30)) < 0 ? Duration.ofSeconds(30) : three;
  }

  private void superseded(RunKey key, String op) {
    LOG.log(Level.WARNING, "job {0}: another delivery took the job over (or the controller ended"
        + " the run: timed out, dead-lettered) before worker {1} recorded its end; this run's"
        + " outcome is dropped", key.job(), config.workerId());
    metrics.jobSuperseded(op);
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
    retry.shutdown();
  }
}
