package io.osapi.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stored schedule: what it fires and when, and where its firing stands. Immutable; a change is
 * a new value written by compare-and-set ({@link ScheduleStore#update}).
 *
 * @param name its name ({@link ScheduleText#requireName})
 * @param cron a five-field cron expression, or null when {@code every} is set
 * @param every a fixed period, or null when {@code cron} is set
 * @param zone the time zone of the cron expression (UTC unless told)
 * @param job the job each tick creates
 * @param overlap what a tick does while the previous tick's job has not ended
 * @param catchupWindow how late a tick may still fire (ticks missed while no controller ran)
 * @param paused whether ticks are not fired
 * @param created when the schedule was created: the first tick is after it
 * @param lastTick the newest tick dealt with (fired, skipped or missed), or null for none yet
 * @param pending a tick claimed whose job may not be created yet, or null; its job id is fixed
 * @param recent the newest ticks dealt with, newest first, at most {@link #RECENT}
 * @param fired ticks fired so far
 * @param skipped ticks skipped for overlap so far
 * @param missed ticks missed so far
 * @param failed ticks whose job was refused so far
 */
public record Schedule(String name, String cron, Every every, ZoneId zone, ScheduleJob job,
    Overlap overlap, Duration catchupWindow, boolean paused, Instant created, Instant lastTick,
    Fire pending, List<Fire> recent, long fired, long skipped, long missed, long failed) {
  /** Ticks kept in {@link #recent}. */
  public static final int RECENT = 10;

  /** Checks for nulls and that exactly one of {@code cron} and {@code every} is set. */
  public Schedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(overlap, "overlap");
    Objects.requireNonNull(catchupWindow, "catchupWindow");
    Objects.requireNonNull(created, "created");
    if ((cron == null) == (every == null)) {
      throw new IllegalArgumentException("a schedule has a cron expression or a period, not both");
    }
    if (pending != null && pending.jobId() == null) {
      throw new IllegalArgumentException("a pending tick has its job id");
    }
    recent = List.copyOf(recent == null ? List.of() : recent.subList(0,
        Math.min(RECENT, recent.size())));
  }

  /** A new schedule, never fired. */
  public static Schedule of(String name, String cron, Every every, ZoneId zone, ScheduleJob job,
      Overlap overlap, Duration catchupWindow, boolean paused, Instant created) {
    return new Schedule(name, cron, every, zone, job, overlap, catchupWindow, paused, created,
        null, null, List.of(), 0, 0, 0, 0);
  }

  /** The time ticks are counted from: the last tick dealt with, else the creation. */
  public Instant since() {
    return lastTick == null ? created : lastTick;
  }

  /** This schedule paused or resumed; resuming at {@code now} skips the ticks while paused. */
  public Schedule withPaused(boolean p, Instant now) {
    Instant last = !p && paused && now.isAfter(since()) ? now : lastTick;
    return new Schedule(name, cron, every, zone, job, overlap, catchupWindow, p, created, last,
        pending, recent, fired, skipped, missed, failed);
  }

  /** This schedule with other settings (the firing state kept). */
  public Schedule withSettings(String c, Every e, ZoneId z, ScheduleJob j, Overlap o,
      Duration window) {
    return new Schedule(name, c, e, z, j, o, window, paused, created, lastTick, pending, recent,
        fired, skipped, missed, failed);
  }

  /**
   * This schedule with {@code tick} claimed for its job {@code jobId}, after {@code missedBefore}
   * earlier ticks counted missed.
   */
  public Schedule claimed(Instant tick, String jobId, int missedBefore) {
    return new Schedule(name, cron, every, zone, job, overlap, catchupWindow, paused, created, tick,
        new Fire(tick, FireOutcome.FIRED, jobId, null), recent, fired, skipped,
        missed + missedBefore, failed);
  }

  /** This schedule with its pending tick settled as {@code fire} (fired or failed). */
  public Schedule settled(Fire fire) {
    return new Schedule(name, cron, every, zone, job, overlap, catchupWindow, paused, created,
        lastTick, null, prepend(fire), fire.outcome() == FireOutcome.FIRED ? fired + 1 : fired,
        skipped, missed, fire.outcome() == FireOutcome.FAILED ? failed + 1 : failed);
  }

  /** This schedule with {@code tick} dealt with without a job: skipped or missed. */
  public Schedule passed(Instant tick, FireOutcome outcome, int missedBefore) {
    if (outcome != FireOutcome.SKIPPED_OVERLAP && outcome != FireOutcome.MISSED) {
      throw new IllegalArgumentException("passed ticks are skipped or missed: " + outcome);
    }
    return new Schedule(name, cron, every, zone, job, overlap, catchupWindow, paused, created, tick,
        pending, prepend(new Fire(tick, outcome, null, null)), fired,
        outcome == FireOutcome.SKIPPED_OVERLAP ? skipped + 1 : skipped,
        missed + missedBefore + (outcome == FireOutcome.MISSED ? 1 : 0), failed);
  }

  /** The newest fired tick's job id (pending included), or null. */
  public String lastJobId() {
    if (pending != null) {
      return pending.jobId();
    }
    for (Fire f : recent) {
      if (f.jobId() != null) {
        return f.jobId();
      }
    }
    return null;
  }

  private List<Fire> prepend(Fire f) {
    List<Fire> out = new ArrayList<>(RECENT);
    out.add(f);
    for (Fire r : recent) {
      if (out.size() == RECENT) {
        break;
      }
      out.add(r);
    }
    return out;
  }
}
