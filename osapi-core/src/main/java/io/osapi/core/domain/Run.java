package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One run of a job, as stored under its {@link RunKey} and changed only by compare-and-set: the
 * worker that holds it, which attempt (the queue's delivery count when it was claimed), when it
 * started and ended, its result or error, and a short timeline of what happened to it.
 *
 * <p>Transitions: absent or {@link RunState#RELEASED} to {@link RunState#RUNNING} ({@link
 * #claim}); a {@code RUNNING} run of another holder to {@code RUNNING} by a later delivery ({@link
 * #claim}, a take-over); {@code RUNNING} to {@link RunState#RELEASED} ({@link #release}) or to a
 * terminal state ({@link #finish}); anything not terminal to {@link RunState#FAILED} with {@code
 * deadLettered} ({@link #deadLetter}). A terminal run never changes again.
 *
 * @param state where the run is
 * @param worker the worker that holds or held it, or null when it was never claimed
 * @param attempt the delivery count of the claiming delivery, 0 when never claimed
 * @param started when the latest claim happened, or null
 * @param ended when it reached a terminal state, or null
 * @param result the result as JSON text when completed, or when failed with one kept (a command's
 *     exit code and output, see {@link OperationFailedException}), else null
 * @param error the error message when failed or released, else null
 * @param deadLettered true when the queue gave up on it
 * @param timeline what happened to it, oldest first, at most {@link #MAX_TIMELINE} entries (the
 *     first one and the newest ones are kept)
 * @param signature the worker's Ed25519 signature of the end ({@link RunEnd#bytes}), base64, or
 *     null (not ended, ended by a controller, or by a worker without a key)
 */
public record Run(
    RunState state,
    String worker,
    int attempt,
    Instant started,
    Instant ended,
    String result,
    String error,
    boolean deadLettered,
    List<TimelineEntry> timeline,
    String signature) {
  /** Most timeline entries a run keeps. */
  public static final int MAX_TIMELINE = 16;

  /** Checks for nulls; bounds and copies the timeline. */
  public Run {
    Objects.requireNonNull(state, "state");
    if (attempt < 0) {
      throw new IllegalArgumentException("attempt must not be negative");
    }
    timeline = bounded(timeline == null ? List.of() : timeline);
  }

  /** A run without a signature. */
  public Run(RunState state, String worker, int attempt, Instant started, Instant ended,
      String result, String error, boolean deadLettered, List<TimelineEntry> timeline) {
    this(state, worker, attempt, started, ended, result, error, deadLettered, timeline, null);
  }

  /** This run with {@code newSignature} (base64), or without one when null. */
  public Run withSignature(String newSignature) {
    return new Run(state, worker, attempt, started, ended, result, error, deadLettered, timeline,
        newSignature);
  }

  /**
   * A claim by {@code worker} on delivery {@code attempt}: a new run when {@code previous} is null,
   * else the next state of {@code previous} (released, or running by a holder that lost the
   * delivery: a take-over).
   *
   * @throws IllegalStateException when {@code previous} is terminal (a terminal run never changes)
   */
  public static Run claim(Run previous, String worker, int attempt, Instant at) {
    Objects.requireNonNull(worker, "worker");
    if (previous != null && previous.state.terminal()) {
      throw new IllegalStateException("run is " + previous.state.wire() + " already");
    }
    List<TimelineEntry> t = previous == null ? new ArrayList<>() : new ArrayList<>(previous.timeline);
    String msg;
    if (previous != null && previous.state == RunState.RUNNING && !worker.equals(previous.worker)) {
      msg = "taken over by " + worker + " from " + previous.worker + " (delivery " + attempt + ")";
    } else {
      msg = "processing began on " + worker + (attempt > 1 ? " (delivery " + attempt + ")" : "");
    }
    t.add(new TimelineEntry(at, "started", worker, msg, null));
    return new Run(RunState.RUNNING, worker, attempt, at, null, null, null, false, t);
  }

  /** This running run handed back to the queue by its holder, with why. */
  public Run release(String why, Instant at) {
    requireState(RunState.RUNNING);
    List<TimelineEntry> t = new ArrayList<>(timeline);
    t.add(new TimelineEntry(at, "released", worker, "handed back to the queue by " + worker, why));
    return new Run(RunState.RELEASED, worker, attempt, started, null, null, why, false, t);
  }

  /**
   * This running run finished by its holder: completed with {@code result}, or failed with {@code
   * error} ({@code deadLettered} when the worker gave up after its last allowed delivery) and the
   * {@code result} it kept, if any.
   */
  public Run finish(RunState terminal, String result, String error, boolean deadLettered,
      Instant at) {
    requireState(RunState.RUNNING);
    if (!terminal.terminal()) {
      throw new IllegalArgumentException("not a terminal state: " + terminal);
    }
    List<TimelineEntry> t = new ArrayList<>(timeline);
    if (terminal == RunState.COMPLETED) {
      t.add(new TimelineEntry(at, "completed", worker, "succeeded on " + worker, null));
      return new Run(RunState.COMPLETED, worker, attempt, started, at, result, null, false, t);
    }
    t.add(new TimelineEntry(at, "failed", worker, "failed on " + worker, error));
    return new Run(RunState.FAILED, worker, attempt, started, at, result, error, deadLettered, t);
  }

  /**
   * A run (or no run yet: {@code previous} null) given up on by the queue: its deliveries ran out
   * without anyone finishing it.
   */
  public static Run deadLetter(Run previous, String reason, Instant at) {
    if (previous != null && previous.state.terminal()) {
      throw new IllegalStateException("run is " + previous.state.wire() + " already");
    }
    List<TimelineEntry> t = previous == null ? new ArrayList<>() : new ArrayList<>(previous.timeline);
    String w = previous == null ? null : previous.worker;
    t.add(new TimelineEntry(at, "failed", "_queue", "dead-lettered: " + reason, reason));
    return new Run(RunState.FAILED, w, previous == null ? 0 : previous.attempt,
        previous == null ? null : previous.started, at, null, reason, true, t);
  }

  /**
   * The run of an expected worker of a broadcast job that did not finish by the job's deadline
   * (never claimed: {@code previous} null, or running, or released): failed by the controller with
   * {@code reason}, keeping the holder.
   */
  public static Run timedOut(Run previous, String reason, Instant at) {
    if (previous != null && previous.state.terminal()) {
      throw new IllegalStateException("run is " + previous.state.wire() + " already");
    }
    List<TimelineEntry> t = previous == null ? new ArrayList<>() : new ArrayList<>(previous.timeline);
    t.add(new TimelineEntry(at, "failed", "_controller", "timed out: " + reason, reason));
    return new Run(RunState.FAILED, previous == null ? null : previous.worker,
        previous == null ? 0 : previous.attempt, previous == null ? null : previous.started, at,
        null, reason, false, t);
  }

  /**
   * A run (or no run yet: {@code previous} null) ended by a cancel request that {@code by} took,
   * keeping the holder and start: a run not started never starts, a running one's holder stops it
   * and drops its outcome.
   *
   * @throws IllegalStateException when {@code previous} is terminal
   */
  public static Run cancelled(Run previous, String by, Instant at) {
    if (previous != null && previous.state.terminal()) {
      throw new IllegalStateException("run is " + previous.state.wire() + " already");
    }
    List<TimelineEntry> t = previous == null ? new ArrayList<>() : new ArrayList<>(previous.timeline);
    String w = previous == null ? null : previous.worker;
    boolean wasRunning = previous != null && previous.state == RunState.RUNNING;
    t.add(new TimelineEntry(at, "cancelled", "_controller", (wasRunning ? "cancelled while"
        + " running on " + w : "cancelled before it started") + " (requested by " + by + ")",
        null));
    return new Run(RunState.CANCELLED, w, previous == null ? 0 : previous.attempt,
        previous == null ? null : previous.started, at, null, null, false, t);
  }

  /**
   * The run of a rolling broadcast's expected worker that was never released to it ({@link
   * Rollout}): skipped by a controller for {@code reason}, before any worker held it.
   */
  public static Run skipped(String reason, Instant at) {
    return new Run(RunState.SKIPPED, null, 0, null, at, null, reason, false,
        List.of(new TimelineEntry(at, "skipped", "_controller", "skipped: " + reason, reason)));
  }

  /** True when {@code worker} holds this running run from delivery {@code attempt}. */
  public boolean heldBy(String worker, int attempt) {
    return state == RunState.RUNNING && Objects.equals(this.worker, worker)
        && this.attempt == attempt;
  }

  /** Ended minus started when both exist, else null. */
  public Duration duration() {
    return started != null && ended != null ? Duration.between(started, ended) : null;
  }

  private void requireState(RunState s) {
    if (state != s) {
      throw new IllegalStateException("run is " + state.wire() + ", not " + s.wire());
    }
  }

  static List<TimelineEntry> bounded(List<TimelineEntry> t) {
    if (t.size() <= MAX_TIMELINE) {
      return List.copyOf(t);
    }
    List<TimelineEntry> out = new ArrayList<>(MAX_TIMELINE);
    out.add(t.get(0));
    out.addAll(t.subList(t.size() - (MAX_TIMELINE - 1), t.size()));
    return List.copyOf(out);
  }
}
