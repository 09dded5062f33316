package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * One worker's handling of one delivery, from the notification to the settled delivery: claim the
 * run, run the operation, write the run's end by compare-and-set, then ack, term or nak, with the
 * job metrics on the way. {@link WorkerService} calls it from its pool threads.
 */
final class DeliveryProcessor {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());

  private final WorkerConfig config;
  private final RunWriter runs;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  private final BooleanSupplier stopping;
  private final Set<Delivery> running = ConcurrentHashMap.newKeySet();
  private final Set<JobId> runningHere = ConcurrentHashMap.newKeySet();
  private final AtomicInteger active = new AtomicInteger();

  DeliveryProcessor(WorkerConfig config, RunWriter runs, OperationRegistry operations,
      JobMetrics metrics, Clock clock, BooleanSupplier stopping) {
    this.config = config;
    this.runs = runs;
    this.operations = operations;
    this.metrics = metrics;
    this.clock = clock;
    this.stopping = stopping;
  }

  /** Deliveries being run right now (for in-progress acks). */
  Set<Delivery> running() {
    return running;
  }

  /** Jobs being run right now. */
  int active() {
    return active.get();
  }

  /** Handles one delivery to the end; never throws. */
  void process(Delivery d) {
    JobNotification n;
    try {
      n = d.notification();
    } catch (CorruptRecordException e) {
      poison(d, e.getMessage());
      return;
    }
    Job job = n.job();
    String op = job.operation().type();
    if (!n.expects(config.workerId())) {
      LOG.log(Level.INFO, "job {0} ({1}) does not expect worker {2} (it registered after the"
          + " submit); left alone", job.id(), job.target().text(), config.workerId());
      d.ack();
      return;
    }
    int attempt = d.deliveryCount();
    if (attempt > 1) {
      metrics.jobRedelivered(op);
    }
    RunKey key = RunKey.forWorker(job, config.workerId());
    RunWriter.Claim claim;
    try {
      claim = runs.claim(key, attempt, runningHere.contains(job.id()));
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not claim job {0}, handing it back: {1}", job.id(),
          e.getMessage());
      d.nak(config.retryDelay());
      return;
    }
    switch (claim.status()) {
      case DONE -> {
        d.ack();
        return;
      }
      case BUSY -> {
        LOG.log(Level.DEBUG, "job {0} is held by another delivery; looking again later", job.id());
        d.nak(config.ackWait());
        return;
      }
      default -> {}
    }
    Versioned<Run> held = claim.run();
    Optional<OperationDefinition> def = operations.find(op);
    if (def.isEmpty()) {
      String msg = "operation " + op + " is not known to worker " + config.workerId();
      Run failed = held.value().finish(RunState.FAILED, null, msg, true, clock.instant());
      if (write(d, key, held, failed) == RunWriter.WriteStatus.WRITTEN) {
        d.term();
        metrics.jobDeadLettered(op);
      }
      return;
    }
    running.add(d);
    runningHere.add(job.id());
    active.incrementAndGet();
    Instant start = clock.instant();
    try {
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
        if (stopping.getAsBoolean() && Thread.currentThread().isInterrupted()) {
          outcome = JobOutcome.RELEASED;
        } else {
          outcome = JobOutcome.FAILED;
        }
        error = message(t);
      }
      Duration took = Duration.ofNanos(System.nanoTime() - t0);
      settle(d, key, held, op, outcome, result, error, took, deadLetter);
    } finally {
      running.remove(d);
      runningHere.remove(job.id());
      active.decrementAndGet();
    }
  }

  /**
   * Writes the run's end by compare-and-set, then settles the delivery: ack (completed), term
   * (failed), nak (released). A lost compare-and-set (another delivery took the job over) drops
   * the outcome and leaves the delivery alone: it is not this worker's any more.
   */
  private void settle(
      Delivery d,
      RunKey key,
      Versioned<Run> held,
      String op,
      JobOutcome outcome,
      String result,
      String error,
      Duration took,
      boolean deadLetter) {
    Instant now = clock.instant();
    if (outcome == JobOutcome.RELEASED) {
      Run released = held.value().release(error == null ? "released" : error, now);
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
      return;
    }
    RunState terminal = outcome == JobOutcome.COMPLETED ? RunState.COMPLETED : RunState.FAILED;
    Run end = held.value().finish(terminal, result, error, deadLetter, now);
    RunWriter.WriteStatus w = write(d, key, held, end);
    switch (w) {
      case WRITTEN -> {
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
      case SUPERSEDED -> {
        metrics.jobFinished(op, config.workerId(), JobOutcome.RELEASED, took);
        superseded(key, op);
      }
      default -> {
        // The run finished and is counted as such; whether its end was stored is not known.
        // The next delivery finds it stored (done, not run again) or takes the run over and
        // runs it again, which is then a second run and counted as one.
        LOG.log(Level.WARNING, "could not record the end of job {0}; handing it back", key.job());
        metrics.jobFinished(op, config.workerId(), outcome, took);
        d.nak(stopping.getAsBoolean() ? Duration.ZERO : config.retryDelay());
      }
    }
  }

  private RunWriter.WriteStatus write(Delivery d, RunKey key, Versioned<Run> held, Run next) {
    try {
      return runs.write(key, held, next, d, config.ackWait(), stopping);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "could not record job {0}: {1}", key.job(), e.getMessage());
      return RunWriter.WriteStatus.UNKNOWN;
    }
  }

  private void superseded(RunKey key, String op) {
    LOG.log(Level.WARNING, "job {0}: another delivery took the job over before worker {1}"
        + " recorded its end; this run's outcome is dropped", key.job(), config.workerId());
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
}
