package io.osapi.core.scheduler;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.schedule.Cadence;
import io.osapi.core.schedule.CronParser;
import io.osapi.core.schedule.Fire;
import io.osapi.core.schedule.FireOutcome;
import io.osapi.core.schedule.Overlap;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJob;
import io.osapi.core.schedule.ScheduleMetrics;
import io.osapi.core.schedule.ScheduleStore;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Fires the schedules' ticks: each controller runs one and calls {@link #round} a few times a
 * second; every tick is fired once however many controllers run, and none is lost when one dies.
 *
 * <p>A tick is claimed by compare-and-set on the schedule's last tick: the controller whose write
 * wins fixes the tick's job id in the schedule ({@link Schedule#pending()}), then creates the job
 * under that id and settles the tick (a second compare-and-set). The job's create is idempotent by
 * id, so when the claiming controller dies between the two, another one finishes the tick once it
 * has seen it pending for {@link #REPAIR_AFTER}: the job is created once, never twice. While a tick is pending no
 * later tick is claimed.
 *
 * <p>Due ticks are the cadence's ticks after the last one dealt with, up to now. Only the newest
 * can fire, and only within the catch-up window after its time; those before it (a controller-less
 * stretch, a round late by more than a period) are counted missed, as is the newest when it is
 * later than the window. With overlap {@code skip}, a tick whose previous job has not ended is
 * skipped. A paused schedule fires nothing. Each tick is counted once, by the controller whose
 * compare-and-set settled it ({@link ScheduleMetrics}).
 */
public final class Scheduler {
  private static final System.Logger LOG = System.getLogger(Scheduler.class.getName());
  /**
   * How long after its claim a pending tick is finished by any controller: past the job client's
   * create patience (15 s by default), so a create still being held is not raced.
   */
  public static final Duration REPAIR_AFTER = Duration.ofSeconds(20);
  /** Due ticks one round looks at per schedule, at most (the rest are looked at in the next). */
  static final int MAX_DUE = 100_000;

  private final ScheduleStore store;
  private final JobClient client;
  private final CronParser cron;
  private final ScheduleMetrics metrics;
  private final Clock clock;
  /** Pending ticks ({@code name/job id}) and when this scheduler first saw each. */
  private final Map<String, Instant> pendingSeen = new ConcurrentHashMap<>();

  /**
   * @param store where the schedules are
   * @param client creates the ticks' jobs
   * @param cron parses the schedules' cron expressions
   * @param metrics where ticks are counted
   * @param clock what time it is
   */
  public Scheduler(ScheduleStore store, JobClient client, CronParser cron, ScheduleMetrics metrics,
      Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.client = Objects.requireNonNull(client, "client");
    this.cron = Objects.requireNonNull(cron, "cron");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Deals with the due ticks of every schedule once. A schedule another controller wrote
   * meanwhile is left to the next round.
   *
   * @throws io.osapi.core.domain.BackendUnavailableException when the store is unreachable
   */
  public void round() {
    List<Versioned<Schedule>> all = store.list();
    Set<String> pending = new HashSet<>();
    all.forEach(v -> {
      if (v.value().pending() != null) {
        pending.add(v.value().name() + "/" + v.value().pending().jobId());
      }
    });
    pendingSeen.keySet().retainAll(pending);
    for (Versioned<Schedule> v : all) {
      try {
        fire(v);
      } catch (RevisionConflictException e) {
        // another controller dealt with it first
      }
    }
  }

  private void fire(Versioned<Schedule> v) {
    Schedule s = v.value();
    Instant now = clock.instant();
    if (s.pending() != null) {
      // when this controller first saw it pending: no stored time, so no other clock, counts
      Instant seen = pendingSeen.computeIfAbsent(s.name() + "/" + s.pending().jobId(), k -> now);
      if (!seen.plus(REPAIR_AFTER).isAfter(now)) {
        LOG.log(Level.INFO, "schedule {0}: finishing its tick {1}, pending for {2} s (the"
            + " controller that claimed it did not finish it)", s.name(), s.pending().tick(),
            Duration.between(seen, now).toSeconds());
        settle(s, v.revision());
      }
      return;
    }
    if (s.paused()) {
      return;
    }
    Cadence c;
    try {
      c = Schedules.cadence(s, cron);
    } catch (InvalidInputException e) {
      LOG.log(Level.WARNING, "schedule {0} has a cadence this controller cannot read: {1}",
          s.name(), e.getMessage());
      return;
    }
    Instant last = null;
    int due = 0;
    Instant t = s.since();
    while (due < MAX_DUE) {
      Optional<Instant> n = c.next(t);
      if (n.isEmpty() || n.get().isAfter(now)) {
        break;
      }
      t = n.get();
      last = t;
      due++;
    }
    if (last == null) {
      return;
    }
    int before = due - 1;
    if (Duration.between(last, now).compareTo(s.catchupWindow()) > 0 || due == MAX_DUE) {
      store.update(s.passed(last, FireOutcome.MISSED, before), v.revision());
      metrics.ticks(FireOutcome.MISSED, due);
      LOG.log(Level.INFO, "schedule {0}: {1} ticks missed up to {2} (later than the catch-up"
          + " window)", s.name(), due, last);
      return;
    }
    if (s.overlap() == Overlap.SKIP && running(s.lastJobId())) {
      store.update(s.passed(last, FireOutcome.SKIPPED_OVERLAP, before), v.revision());
      metrics.ticks(FireOutcome.MISSED, before);
      metrics.ticks(FireOutcome.SKIPPED_OVERLAP, 1);
      return;
    }
    Schedule claimed = s.claimed(last, JobId.generate(clock).value(), before);
    long rev = store.update(claimed, v.revision());
    metrics.ticks(FireOutcome.MISSED, before);
    settle(claimed, rev);
  }

  /** Creates the pending tick's job (idempotent by its id) and settles the tick. */
  private void settle(Schedule s, long revision) {
    Fire p = s.pending();
    Fire result = p;
    try {
      client.createScheduled(request(s.job()), JobId.parse(p.jobId()), s.name(), p.tick());
    } catch (InvalidInputException e) {
      result = new Fire(p.tick(), FireOutcome.FAILED, null, e.getMessage());
      LOG.log(Level.WARNING, "schedule {0}: the job of its tick {1} was refused: {2}", s.name(),
          p.tick(), e.getMessage());
    }
    while (true) {
      try {
        store.update(s.settled(result), revision);
        metrics.ticks(result.outcome(), 1);
        return;
      } catch (RevisionConflictException e) {
        // changed meanwhile (a PATCH, or a controller finishing the tick): settle what is there
        Optional<Versioned<Schedule>> now = store.get(s.name());
        if (now.isEmpty() || now.get().value().pending() == null
            || !now.get().value().pending().equals(p)) {
          return; // deleted, or settled by someone else
        }
        s = now.get().value();
        revision = now.get().revision();
      }
    }
  }

  private boolean running(String jobId) {
    if (jobId == null) {
      return false;
    }
    Optional<JobView> j = client.get(JobId.parse(jobId));
    return j.isPresent() && (j.get().status() == JobStatus.SUBMITTED
        || j.get().status() == JobStatus.PROCESSING);
  }

  /** The create of a schedule's job. */
  static CreateJobRequest request(ScheduleJob j) {
    return new CreateJobRequest(j.type(), j.data(), j.target(), j.timeout());
  }

}
