package io.osapi.core.scheduler;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.Versioned;
import io.osapi.core.schedule.Cadence;
import io.osapi.core.schedule.CronParser;
import io.osapi.core.schedule.Every;
import io.osapi.core.schedule.Overlap;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJob;
import io.osapi.core.schedule.ScheduleStore;
import io.osapi.core.schedule.ScheduleText;
import io.osapi.core.service.JobClient;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What callers may do with schedules: create, read, change, pause, resume and delete them, each
 * input validated in full before anything is stored (the job as a job create would be, the cron
 * expression by the {@link CronParser}). Changes are compare-and-set, tried again when a
 * controller firing the schedule wrote it meanwhile.
 */
public final class Schedules {
  /** How late a tick may fire unless told: one minute. */
  public static final Duration DEFAULT_CATCHUP = Duration.ofMinutes(1);
  /** The shortest catch-up window: 1 s (a controller looks for due ticks every 250 ms). */
  public static final Duration MIN_CATCHUP = Duration.ofSeconds(1);
  /** The longest catch-up window: 7 days. */
  public static final Duration MAX_CATCHUP = Duration.ofDays(7);
  /** Schedules kept at most. */
  public static final int MAX_SCHEDULES = ScheduleStore.MAX_SCHEDULES;

  private final ScheduleStore store;
  private final CronParser cron;
  private final JobClient client;
  private final Clock clock;

  /**
   * @param store where schedules are kept
   * @param cron the cron parser
   * @param client checks the schedule's job as a create would
   * @param clock creation and resume times
   */
  public Schedules(ScheduleStore store, CronParser cron, JobClient client, Clock clock) {
    this.store = Objects.requireNonNull(store, "store");
    this.cron = Objects.requireNonNull(cron, "cron");
    this.client = Objects.requireNonNull(client, "client");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** As {@link ScheduleText#requireName}. */
  public static String requireName(String name) {
    return ScheduleText.requireName(name);
  }

  /**
   * Creates a schedule.
   *
   * @throws InvalidInputException for bad input
   * @throws RevisionConflictException when one of that name exists
   */
  public Schedule create(String name, ScheduleSpec spec) {
    requireName(name);
    if (spec.job() == null) {
      throw new InvalidInputException("job", "job is required: the body of a job create");
    }
    if (spec.cron() == null && spec.every() == null) {
      throw new InvalidInputException("cron", "cron (5 fields) or every (such as 30s) is required");
    }
    if (store.list().size() >= MAX_SCHEDULES) {
      throw new InvalidInputException("name", "there are " + MAX_SCHEDULES
          + " schedules already, the most osapi keeps");
    }
    Schedule s = Schedule.of(name, null, Every.parse("1s"), ZoneOffset.UTC, spec.job(),
        Overlap.SKIP, DEFAULT_CATCHUP, false, clock.instant());
    s = apply(s, spec);
    store.create(s);
    return s;
  }

  /** The schedule named {@code name}, or empty. */
  public Optional<Schedule> get(String name) {
    return store.get(requireName(name)).map(Versioned::value);
  }

  /** Every schedule, by name. */
  public List<Schedule> list() {
    List<Schedule> out = new ArrayList<>();
    store.list().forEach(v -> out.add(v.value()));
    return out;
  }

  /**
   * Changes the fields {@code spec} sets.
   *
   * @return the schedule as changed, or empty when there is none of that name
   * @throws InvalidInputException for bad input
   */
  public Optional<Schedule> change(String name, ScheduleSpec spec) {
    requireName(name);
    while (true) {
      Optional<Versioned<Schedule>> have = store.get(name);
      if (have.isEmpty()) {
        return Optional.empty();
      }
      Schedule s = apply(have.get().value(), spec);
      try {
        store.update(s, have.get().revision());
        return Optional.of(s);
      } catch (RevisionConflictException e) {
        // a controller fired it meanwhile: apply the change to what it wrote
      }
    }
  }

  /** Deletes a schedule; whether there was one. Jobs it created stay. */
  public boolean delete(String name) {
    return store.delete(requireName(name));
  }

  /** The cadence of {@code s}. */
  public Cadence cadence(Schedule s) {
    return cadence(s, cron);
  }

  static Cadence cadence(Schedule s, CronParser cron) {
    return s.every() != null ? s.every() : cron.parse(s.cron(), s.zone());
  }

  /** The next {@code n} ticks of {@code s} after now (none while paused). */
  public List<Instant> nextFires(Schedule s, int n) {
    List<Instant> out = new ArrayList<>();
    if (s.paused()) {
      return out;
    }
    Cadence c = cadence(s);
    Instant t = clock.instant();
    if (t.isBefore(s.since())) {
      t = s.since();
    }
    for (int i = 0; i < n; i++) {
      Optional<Instant> next = c.next(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
      out.add(t);
    }
    return out;
  }

  private Schedule apply(Schedule s, ScheduleSpec spec) {
    if (spec.cron() != null && spec.every() != null) {
      throw new InvalidInputException("cron", "give cron or every, not both");
    }
    String c = s.cron();
    Every e = s.every();
    if (spec.cron() != null) {
      c = spec.cron().trim();
      e = null;
    } else if (spec.every() != null) {
      e = Every.parse(spec.every());
      c = null;
    }
    ZoneId zone = s.zone();
    if (spec.timezone() != null) {
      try {
        zone = ZoneId.of(spec.timezone());
      } catch (DateTimeException ex) {
        throw new InvalidInputException("timezone", "timezone '" + spec.timezone()
            + "' is not a time zone (such as UTC or Europe/Paris)");
      }
    }
    ScheduleJob job = spec.job() == null ? s.job() : checkJob(spec.job());
    Overlap overlap = spec.overlap() == null ? s.overlap() : Overlap.parse(spec.overlap());
    Duration window = s.catchupWindow();
    if (spec.catchupWindow() != null) {
      window = ScheduleText.parseDuration("catchup_window", spec.catchupWindow());
      if (window.compareTo(MIN_CATCHUP) < 0 || window.compareTo(MAX_CATCHUP) > 0) {
        throw new InvalidInputException("catchup_window",
            "catchup_window must be between 1s and 7d");
      }
    }
    Schedule out = s.withSettings(c, e, zone, job, overlap, window);
    if (c != null) {
      cron.parse(c, zone); // refuses a bad expression
    }
    if (spec.paused() != null) {
      out = out.withPaused(spec.paused(), clock.instant());
    }
    return out;
  }

  private ScheduleJob checkJob(ScheduleJob j) {
    client.operations().require(j.type());
    if (j.data() != null && j.data().length() > JobClient.MAX_DATA_CHARS) {
      throw new InvalidInputException("job.operation.data",
          "operation.data is larger than " + JobClient.MAX_DATA_CHARS + " characters");
    }
    try {
      new io.osapi.core.domain.Operation(j.type(), j.data()); // the data is JSON a job can take
    } catch (InvalidInputException e) {
      throw new InvalidInputException("job." + e.field(), e.getMessage());
    }
    Target t = Target.parse(j.target());
    if (j.timeout() != null) {
      if (t instanceof Target.Any) {
        throw new InvalidInputException("job.timeout_seconds",
            "timeout_seconds applies to broadcast targets only");
      }
      if (j.timeout().compareTo(JobClient.MIN_TIMEOUT) < 0
          || j.timeout().compareTo(JobClient.MAX_TIMEOUT) > 0) {
        throw new InvalidInputException("job.timeout_seconds", "timeout_seconds must be between "
            + JobClient.MIN_TIMEOUT.toSeconds() + " and " + JobClient.MAX_TIMEOUT.toSeconds());
      }
    }
    return j;
  }
}
