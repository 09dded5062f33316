package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * One worker's side of the run protocol: claims a run and writes its end by compare-and-set, and
 * settles writes whose outcome is unknown by reading the run again (see "Claims, take-overs and
 * writes whose outcome is unknown" in docs/architecture.md).
 */
final class RunWriter {
  private static final System.Logger LOG = System.getLogger(RunWriter.class.getName());
  private static final int MAX_CONFLICTS = 4;
  /** How the error of an end written in short form begins ({@link #refusedEnd}). */
  static final String REFUSED_END = "the run's end could not be stored: ";

  /** What a claim found. */
  enum ClaimStatus {
    /** This worker holds the run now ({@link Claim#run()}). */
    CLAIMED,
    /** The run is terminal: the job is done, do not run it again. */
    DONE,
    /** Another holder may still be running it: look again after an ack wait. */
    BUSY
  }

  /** The result of {@link #claim}; {@code run} is set when claimed. */
  record Claim(ClaimStatus status, Versioned<Run> run) {}

  /** What became of a write of a run's next state. */
  enum WriteStatus {
    /** Stored. */
    WRITTEN,
    /** Someone else changed the run first (take-over, dead letter): the outcome is dropped. */
    SUPERSEDED,
    /** Not known whether it was stored, and it could not be found out in time. */
    UNKNOWN
  }

  private final JobStore store;
  private final String workerId;
  private final Clock clock;
  private final WorkerKey key;

  RunWriter(JobStore store, String workerId, Clock clock) {
    this(store, workerId, clock, null);
  }

  /** A writer that signs the ends it writes with {@code key} (none when null). */
  RunWriter(JobStore store, String workerId, Clock clock, WorkerKey key) {
    this.store = Objects.requireNonNull(store, "store");
    this.workerId = Objects.requireNonNull(workerId, "workerId");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.key = key;
  }

  /** {@code end} (a terminal run under {@code runKey}) signed with this worker's key, if it has one. */
  Run signed(RunKey runKey, Run end) {
    return key == null ? end : key.sign(runKey, end);
  }

  /**
   * Claims {@code key} for delivery {@code attempt}: a first delivery creates the run; otherwise,
   * or when the run exists, the stored run decides (terminal: done; released: claim it; running
   * by a holder with a lower delivery count: take it over; running by this worker and delivery:
   * go on with it unless {@code runningHere}; running otherwise: busy).
   *
   * @param runningHere whether this process is running the job right now
   * @throws BackendUnavailableException when the store cannot be reached
   */
  Claim claim(RunKey key, int attempt, boolean runningHere) {
    boolean tryCreate = attempt == 1;
    for (int i = 0; i < MAX_CONFLICTS; i++) {
      if (tryCreate) {
        Run mine = Run.claim(null, workerId, attempt, clock.instant());
        try {
          long rev = Futures.await(store.putRun(key, mine, 0));
          return new Claim(ClaimStatus.CLAIMED, new Versioned<>(mine, rev));
        } catch (RevisionConflictException e) {
          // someone has it, or had it: read it
        }
      }
      Optional<Versioned<Run>> cur = store.run(key);
      if (cur.isEmpty()) {
        tryCreate = true;
        continue;
      }
      tryCreate = false;
      Run r = cur.get().value();
      if (r.state().terminal()) {
        return new Claim(ClaimStatus.DONE, cur.get());
      }
      if (r.state() == RunState.RUNNING) {
        boolean mine = workerId.equals(r.worker());
        if (mine && r.attempt() == attempt) {
          return runningHere ? new Claim(ClaimStatus.BUSY, null)
              : new Claim(ClaimStatus.CLAIMED, cur.get());
        }
        if (attempt <= r.attempt() || (mine && runningHere)) {
          return new Claim(ClaimStatus.BUSY, null);
        }
        LOG.log(Level.INFO, "job {0}: taking over from {1} (delivery {2}, it had delivery {3})",
            key.job(), r.worker(), attempt, r.attempt());
      }
      Run next = Run.claim(r, workerId, attempt, clock.instant());
      try {
        long rev = Futures.await(store.putRun(key, next, cur.get().revision()));
        return new Claim(ClaimStatus.CLAIMED, new Versioned<>(next, rev));
      } catch (RevisionConflictException e) {
        // changed meanwhile: read again
      }
    }
    return new Claim(ClaimStatus.BUSY, null);
  }

  /**
   * Writes {@code next} over the run this worker holds. A conflict is read back: the wanted state
   * already stored (this worker's earlier write whose answer was lost) is written, anything else
   * superseded. A store that cannot be reached is tried again, with the delivery kept alive, until
   * it answers, {@code giveUp} says stop, or one {@code patience} passed.
   */
  WriteStatus write(RunKey key, Versioned<Run> held, Run next, Delivery d, Duration patience,
      BooleanSupplier giveUp) {
    try {
      Futures.await(store.putRun(key, next, held.revision()));
      return WriteStatus.WRITTEN;
    } catch (RuntimeException e) {
      return afterFailure(key, held, next, d, patience, giveUp, e);
    }
  }

  /** {@code end} refused by the store for good, as a failed run with only its newest entry. */
  static Run refusedEnd(Run end, PermanentStoreException why) {
    String error = REFUSED_END + why.getMessage();
    TimelineEntry last = new TimelineEntry(end.ended(), "failed", end.worker(),
        "failed on " + end.worker(), error);
    return new Run(RunState.FAILED, end.worker(), end.attempt(), end.started(), end.ended(), null,
        error, end.deadLettered(), List.of(last));
  }

  /**
   * Settles a write of {@code next} that failed with {@code failure}: a conflict is read back;
   * an unreachable store is tried again as {@link #write} says; a permanent refusal ({@link
   * PermanentStoreException}) of an end writes the run failed in short form instead ({@link
   * #refusedEnd}: the store's reason as its error), and of anything else is not tried again.
   */
  WriteStatus afterFailure(RunKey key, Versioned<Run> held, Run next, Delivery d,
      Duration patience, BooleanSupplier giveUp, Throwable failure) {
    if (failure instanceof RevisionConflictException) {
      return readBack(key, held, next).orElse(WriteStatus.SUPERSEDED);
    }
    if (failure instanceof PermanentStoreException refused) {
      if (!next.state().terminal() || String.valueOf(next.error()).startsWith(REFUSED_END)) {
        LOG.log(Level.ERROR, "job {0}: the store refuses {1} for good: {2}", key.job(),
            next.state().wire(), refused.getMessage());
        return WriteStatus.UNKNOWN; // never retried as if the store were away
      }
      // the end is refused for good (a result larger than the store takes): fail the run in
      // short form, with why, rather than leave it running for ever
      Run failed = refusedEnd(next, refused);
      LOG.log(Level.WARNING, "job {0}: its end cannot be stored ({1}); recording it as failed",
          key.job(), refused.getMessage());
      try {
        Futures.await(store.putRun(key, failed, held.revision()));
        return WriteStatus.WRITTEN;
      } catch (RuntimeException e) {
        return afterFailure(key, held, failed, d, patience, giveUp, e);
      }
    }
    if (!(failure instanceof BackendUnavailableException)) {
      LOG.log(Level.WARNING, "job {0}: writing {1} failed: {2}", key.job(), next.state().wire(),
          failure.toString());
    } else {
      LOG.log(Level.WARNING, "could not record job {0} as {1}, trying again: {2}", key.job(),
          next.state().wire(), failure.getMessage());
    }
    long deadline = System.nanoTime() + patience.toNanos();
    int failures = 0;
    while (!giveUp.getAsBoolean() && System.nanoTime() < deadline) {
      sleepQuietly(Backoff.STORE.delayMillis(failures++));
      try {
        d.inProgress();
        Optional<WriteStatus> settled = readBack(key, held, next);
        if (settled.isPresent()) {
          return settled.get();
        }
        Futures.await(store.putRun(key, next, held.revision()));
        LOG.log(Level.INFO, "recorded job {0} as {1} on a later try", key.job(),
            next.state().wire());
        return WriteStatus.WRITTEN;
      } catch (RevisionConflictException e) {
        return readBack(key, held, next).orElse(WriteStatus.SUPERSEDED);
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "job {0}: store still unavailable: {1}", key.job(), e.getMessage());
      }
    }
    return WriteStatus.UNKNOWN;
  }

  /** The store this writer writes to. */
  JobStore store() {
    return store;
  }

  /**
   * The run as stored now, compared with what this worker wrote: {@code next} itself (same state,
   * worker, delivery and end) is written; {@code held} unchanged is empty (write it again);
   * anything else is superseded.
   */
  private Optional<WriteStatus> readBack(RunKey key, Versioned<Run> held, Run next) {
    Optional<Versioned<Run>> cur = store.run(key);
    if (cur.isEmpty()) {
      return Optional.of(WriteStatus.SUPERSEDED);
    }
    Run r = cur.get().value();
    if (r.state() == next.state() && Objects.equals(r.worker(), next.worker())
        && r.attempt() == next.attempt() && Objects.equals(r.ended(), next.ended())
        && r.deadLettered() == next.deadLettered()) {
      return Optional.of(WriteStatus.WRITTEN);
    }
    if (cur.get().revision() == held.revision()) {
      return Optional.empty();
    }
    return Optional.of(WriteStatus.SUPERSEDED);
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
