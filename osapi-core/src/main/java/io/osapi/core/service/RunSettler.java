package io.osapi.core.service;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobSpan;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * How a worker settles a run once its operation returned (split from {@link DeliveryProcessor}):
 * writes the release or the end by compare-and-set, then acks, terms or naks the delivery, with
 * the job metrics recorded while the run's span is current (their exemplar).
 */
final class RunSettler {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());
  /**
   * Settles ends whose write failed (reads, back-off sleeps): never on a store thread. Its threads
   * end after a minute without work; {@link #close()} shuts it down when the worker stops.
   */
  private final ExecutorService retry =
      Executors.newCachedThreadPool(DaemonThreads.named("osapi-settle-retry"));

  private final WorkerConfig config;
  private final RunWriter runs;
  private final JobMetrics metrics;
  private final Clock clock;
  private final BooleanSupplier stopping;

  RunSettler(WorkerConfig config, RunWriter runs, JobMetrics metrics, Clock clock,
      BooleanSupplier stopping) {
    this.config = config;
    this.runs = runs;
    this.metrics = metrics;
    this.clock = clock;
    this.stopping = stopping;
  }

  /** What a run ended with. */
  record Ending(String op, JobOutcome outcome, String result, String error,
      Duration took, boolean deadLetter, JobSpan span) {}

  /** Hands the job back: records the release (best effort), then naks. */
  void release(Delivery d, RunKey key, Versioned<Run> held, String op, String error,
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
  void finish(Delivery d, RunKey key, Versioned<Run> held, Ending e, Runnable finished) {
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
                  e.deadLetter(), e.span());
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
    e.span().event("run.end_" + w.name().toLowerCase(java.util.Locale.ROOT));
    try (JobSpan.Scope active = e.span().activate()) { // the duration's exemplar
      settle(d, key, e, w);
    }
  }

  private void settle(Delivery d, RunKey key, Ending e, RunWriter.WriteStatus w) {
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

  RunWriter.WriteStatus write(Delivery d, RunKey key, Versioned<Run> held, Run next) {
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

  /**
   * Takes no more retries; those under way finish (they give up once the worker is stopping).
   * Called by the worker when it stops.
   */
  void close() {
    retry.shutdown();
  }
}
