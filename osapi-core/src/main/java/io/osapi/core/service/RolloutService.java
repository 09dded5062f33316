package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Rollout;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Goes on with the rolling broadcasts ({@link io.osapi.core.domain.Rollout}): every controller
 * runs one, each {@link #round()} looking at the broadcast jobs that have not ended (from its job
 * index) and, for a rollout among them, releasing the next workers when runs ended (and the pause
 * passed), or stopping it when too many failed. Every change is a compare-and-set on the job's
 * record, so when several controllers see the same free slot one stores the step and the others
 * lose and look again; only the winner publishes the step's notifications (one per worker, to that
 * worker alone). Nothing is kept in memory that another controller would need: the record holds
 * how far the rollout got, so a controller that dies leaves it to the others (or to itself,
 * restarted). A step stored whose notifications were not all sent (the controller died between the
 * two) is sent again by whoever sees its workers still without a run {@link
 * RolloutReleases#REPUBLISH_AFTER} later, within the queue's de-duplication window (the queue
 * stores it once); no later step is taken before that.
 *
 * <p>A job is read from the store only when its index entry changed (a run was written, the record
 * changed) or a pause it waits for ended, and at least every {@link #REREAD}. Not thread-safe: one
 * thread calls {@link #round()}.
 */
public final class RolloutService {
  private static final System.Logger LOG = System.getLogger(RolloutService.class.getName());
  /** A rollout is read again at least this often, whatever its index entry says. */
  static final Duration REREAD = Duration.ofSeconds(5);

  private final JobStore store;
  private final JobQueue queue;
  private final JobIndex index;
  private final JobMetrics metrics;
  private final Clock clock;
  private final Duration horizon;
  /** Open broadcast jobs without a rollout: never read again. */
  private final Set<JobId> plain = new HashSet<>();
  /** What was seen of each rollout when it was last read. */
  private final Map<JobId, Seen> seen = new HashMap<>();

  private record Seen(Instant updated, Instant due, Instant readAt) {}

  /**
   * A service.
   *
   * @param store where the records and runs are
   * @param queue where the released runs' notifications go; its de-duplication window bounds when
   *     a step's notifications are sent again
   * @param index the job index (caught up with the store) that names the open broadcast jobs
   * @param metrics where releases and stops are counted
   * @param clock the time source
   * @param margin how much earlier than the de-duplication window ends notifications are no longer
   *     sent again (clock skew, the time a round takes)
   */
  public RolloutService(JobStore store, JobQueue queue, JobIndex index, JobMetrics metrics,
      Clock clock, Duration margin) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.index = Objects.requireNonNull(index, "index");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.horizon = queue.deduplicationWindow().minus(Objects.requireNonNull(margin, "margin"));
    if (horizon.compareTo(RolloutReleases.REPUBLISH_AFTER) <= 0) {
      throw new IllegalArgumentException("the queue's de-duplication window ("
          + queue.deduplicationWindow() + ") less " + margin + " leaves no time to send again");
    }
  }

  /** How many rolling broadcasts this service saw going on in its last round. */
  public int active() {
    return seen.size();
  }

  /**
   * Looks at every open broadcast job once. Does nothing while the index is not caught up.
   *
   * @return how many release steps, stops and skips this round stored
   * @throws BackendUnavailableException when the store is unavailable (the next round goes on)
   */
  public int round() {
    if (!index.isCaughtUp()) {
      return 0;
    }
    Instant now = clock.instant();
    List<JobSummary> open = index.openBroadcasts();
    Set<JobId> ids = new HashSet<>();
    int acted = 0;
    for (JobSummary s : open) {
      JobId id = s.id();
      ids.add(id);
      if (plain.contains(id)) {
        continue;
      }
      Seen last = seen.get(id);
      if (last != null && last.updated().equals(s.updated())
          && (last.due() == null || now.isBefore(last.due()))
          && now.isBefore(last.readAt().plus(REREAD))) {
        continue;
      }
      try {
        acted += drive(id, s.updated(), now);
      } catch (BackendUnavailableException e) {
        throw e;
      } catch (RuntimeException e) {
        seen.remove(id);
        LOG.log(Level.WARNING, "rollout of job {0}: {1}", id, e.toString());
      }
    }
    plain.retainAll(ids);
    seen.keySet().retainAll(ids);
    return acted;
  }

  private int drive(JobId id, Instant updated, Instant now) {
    Optional<Versioned<JobRecord>> found = store.find(id);
    if (found.isEmpty()) {
      return 0;
    }
    JobRecord record = found.get().value();
    if (record.rollout() == null) {
      plain.add(id);
      return 0;
    }
    Map<RunKey, Run> runs = store.runs(record);
    RolloutReleases.Plan plan = RolloutReleases.plan(record, runs, now, horizon);
    seen.put(id, new Seen(updated, plan.due(), now));
    String op = record.job().operation().type();
    switch (plan.kind()) {
      case RELEASE -> {
        Rollout next = record.rollout().release(plan.count(), now);
        JobRecord stored = record.withRollout(next)
            .with(RolloutReleases.entry(record, next, now));
        if (!stored(stored, found.get().revision())) {
          return 0;
        }
        metrics.rolloutReleased(op, plan.count());
        LOG.log(Level.INFO, "job {0}: rollout released {1} more ({2} of {3})", id, plan.count(),
            next.released(), record.expected().size());
        Futures.await(RolloutReleases.publish(queue, stored));
        return 1;
      }
      case STOP -> {
        JobRecord stored = record.withRollout(record.rollout().stop(plan.reason()))
            .with(new TimelineEntry(now, "rollout_stopped", "_controller", plan.reason(),
                plan.reason()));
        if (!stored(stored, found.get().revision())) {
          return 0;
        }
        metrics.rolloutStopped(op);
        LOG.log(Level.WARNING, "job {0}: {1}", id, plan.reason());
        skip(stored, plan.reason());
        return 1;
      }
      case SKIP -> {
        return skip(record, plan.reason()) > 0 ? 1 : 0;
      }
      case REPUBLISH -> {
        LOG.log(Level.INFO, "job {0}: rollout workers {1} have not claimed their runs; their"
            + " notifications are sent again", id, plan.workers());
        Futures.await(RolloutReleases.publish(queue, record, plan.workers()));
        return 0;
      }
      default -> {
        return 0;
      }
    }
  }

  /** The record's compare-and-set; false when another writer changed it first. */
  private boolean stored(JobRecord next, long revision) {
    try {
      Futures.await(store.update(next, revision));
      return true;
    } catch (RevisionConflictException e) {
      seen.remove(next.job().id()); // another controller, a cancel: read again next round
      return false;
    }
  }

  /** Ends every expected worker's run not released and not there yet {@code skipped}. */
  static int skip(JobStore store, JobRecord record, String reason, Clock clock) {
    int skipped = 0;
    for (RunKey key : record.runKeys()) {
      if (!record.released(key) && OpenRuns.end(store, key,
          prev -> Run.skipped(reason, clock.instant())) == OpenRuns.Outcome.ENDED) {
        skipped++;
      }
    }
    return skipped;
  }

  private int skip(JobRecord record, String reason) {
    int n = skip(store, record, reason, clock);
    if (n > 0) {
      LOG.log(Level.INFO, "job {0}: {1} workers not released were skipped", record.job().id(), n);
    }
    return n;
  }
}
