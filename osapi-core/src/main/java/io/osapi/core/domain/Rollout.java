package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A rolling broadcast: how a broadcast job's expected workers are released a few at a time, and
 * how far the release has got. Kept in the job's record ({@link JobRecord#rollout()}) and changed
 * only by compare-and-set on it, so any controller can go on with it and no two release one
 * worker twice.
 *
 * <p>The expected workers are released in the record's order: the first {@link #released} of
 * them are released, the rest wait. At most {@link #window} released runs are open at a time: the
 * run released as the {@code i}-th ({@code i >= window}) waits for the {@code (i - window)}-th run
 * to end (in order of their ends) and then {@link #pause}. Once more released runs failed than
 * {@link #maxFailures}, the rollout is {@link #stopped} and the workers not released are skipped.
 *
 * @param batchSize at most this many released runs open at a time, or 0 when {@code batchPercent}
 *     says it
 * @param batchPercent at most this share (1-100 %) of the expected workers, rounded up (at least
 *     one), or 0 when {@code batchSize} says it
 * @param pause how long after a run ended the next worker is released
 * @param maxFailures how many released runs may fail before the rollout stops
 * @param released how many expected workers (the first ones, in the record's order) are released
 * @param lastFrom where the newest release step began: {@code [lastFrom, released)} were released
 *     together at {@code releasedAt} (their notifications may be sent again while within the
 *     queue's de-duplication window)
 * @param releasedAt when the newest release step was stored, or null before the first
 * @param stopped why the rollout stopped releasing (too many failures), or null
 */
public record Rollout(int batchSize, int batchPercent, Duration pause, int maxFailures,
    int released, int lastFrom, Instant releasedAt, String stopped) {
  /** The longest pause between a run's end and the next release. */
  public static final Duration MAX_PAUSE = Duration.ofHours(1);

  /** Checks the values; {@link InvalidInputException} names the request's field. */
  public Rollout {
    Objects.requireNonNull(pause, "pause");
    if ((batchSize > 0) == (batchPercent > 0)) {
      throw new InvalidInputException("rollout.batch_size",
          "rollout.batch_size must be a count of at least 1 or a share \"1%\" to \"100%\"");
    }
    if (batchSize < 0 || batchPercent < 0 || batchPercent > 100) {
      throw new InvalidInputException("rollout.batch_size",
          "rollout.batch_size must be a count of at least 1 or a share \"1%\" to \"100%\"");
    }
    if (pause.isNegative() || pause.compareTo(MAX_PAUSE) > 0) {
      throw new InvalidInputException("rollout.pause_seconds",
          "rollout.pause_seconds must be between 0 and " + MAX_PAUSE.toSeconds());
    }
    if (maxFailures < 0) {
      throw new InvalidInputException("rollout.max_failures",
          "rollout.max_failures must be 0 or more");
    }
    if (released < 0 || lastFrom < 0 || lastFrom > released) {
      throw new IllegalArgumentException("released " + released + ", last from " + lastFrom);
    }
  }

  /** A rollout not started yet: nothing released, not stopped. */
  public static Rollout of(int batchSize, int batchPercent, Duration pause, int maxFailures) {
    return new Rollout(batchSize, batchPercent, pause, maxFailures, 0, 0, null, null);
  }

  /** At most how many released runs of {@code expected} workers are open at a time. */
  public int window(int expected) {
    if (batchSize > 0) {
      return batchSize;
    }
    return Math.max(1, (int) Math.ceil(expected * (batchPercent / 100.0)));
  }

  /** The batch size as a request spells it: {@code 2} or {@code "25%"}. */
  public String batchText() {
    return batchSize > 0 ? Integer.toString(batchSize) : batchPercent + "%";
  }

  /** This rollout with {@code count} more workers released at {@code at}. */
  public Rollout release(int count, Instant at) {
    if (count <= 0 || stopped != null) {
      throw new IllegalStateException("nothing to release");
    }
    return new Rollout(batchSize, batchPercent, pause, maxFailures, released + count, released,
        at, null);
  }

  /** This rollout stopped for {@code reason}: nothing more is released. */
  public Rollout stop(String reason) {
    return new Rollout(batchSize, batchPercent, pause, maxFailures, released, lastFrom,
        releasedAt, Objects.requireNonNull(reason, "reason"));
  }

  /** Whether the {@code index}-th expected worker (in the record's order) is released. */
  public boolean isReleased(int index) {
    return index < released;
  }

  /** The workers of {@code expected} released by the newest step. */
  public List<String> lastStep(List<String> expected) {
    return expected.subList(lastFrom, Math.min(released, expected.size()));
  }
}
