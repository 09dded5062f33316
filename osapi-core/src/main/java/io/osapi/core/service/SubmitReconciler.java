package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes sure every stored job was notified, whoever died between its record and its
 * notification. A create writes the record, then (for a broadcast job) its deadline, then the
 * notification: a controller killed between those writes leaves a job {@code submitted} that no
 * worker hears of. The create itself is not changed (nothing is added to its path); instead every
 * controller looks, once per job, at each job still {@code submitted} once it is {@code grace}
 * old (the creating controller's hold is over by then), reads it, and when no run exists (no
 * worker has claimed it) sends its deadline and notification again.
 *
 * <p>Sending again is idempotent only within the queue's de-duplication window ({@link
 * JobQueue#deduplicationWindow()}): a notification published before is then stored once (on NATS:
 * {@code Nats-Msg-Id} = job id), so a job notified already is not notified twice, and several
 * controllers doing the same for the same job publish one notification between them. A second
 * notification would not be harmless: a worker that gets it while another runs the job takes the
 * run over on its second delivery. So a job is looked at only while it is younger than the window
 * less a margin; one that could not be sent again by then (the queue unavailable the whole time)
 * is failed "not submitted" by compare-and-set on its runs instead, as a create that gives up does,
 * so a notification that did go out finds its run failed and does not run it.
 *
 * <p>Jobs are taken in creation order (their ids begin with their creation time) from the job
 * index, with a cursor: a job is looked at once per process. At start the cursor is the oldest job
 * that can still be sent again safely: jobs older than that, still {@code submitted}, wait for a
 * worker as they are (they are never sent twice). Not thread-safe: one thread calls {@link
 * #round()}.
 */
public final class SubmitReconciler {
  private static final System.Logger LOG = System.getLogger(SubmitReconciler.class.getName());
  /** Jobs read from the index per page. */
  private static final int PAGE = 256;

  private final JobStore store;
  private final JobQueue queue;
  private final JobIndex index;
  private final Clock clock;
  private final Duration grace;
  private final Duration horizon;
  /** The newest job looked at (or below the horizon at start); null before the first round. */
  private JobId cursor;
  /** The job that could not be sent in the last round (the store or queue unavailable). */
  private JobId unsent;
  private long resent;
  private long failed;

  /**
   * A reconciler.
   *
   * @param store where the records and runs are
   * @param queue where notifications go; its de-duplication window bounds what is sent again
   * @param index the job index (caught up with the store) that names the jobs still submitted
   * @param clock the time source
   * @param grace how old a job must be before it is looked at: longer than a create is held
   *     ({@link JobClient} create patience), so that its own controller is done with it
   * @param margin how much younger than the de-duplication window a job must be to be sent again
   *     (clock skew between controllers and the server, and the time a round takes)
   * @throws IllegalArgumentException when grace plus margin leaves no time within the window
   */
  public SubmitReconciler(JobStore store, JobQueue queue, JobIndex index, Clock clock,
      Duration grace, Duration margin) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.index = Objects.requireNonNull(index, "index");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.grace = Objects.requireNonNull(grace, "grace");
    this.horizon = queue.deduplicationWindow().minus(Objects.requireNonNull(margin, "margin"));
    if (grace.isNegative() || horizon.compareTo(grace) <= 0) {
      throw new IllegalArgumentException("a job " + grace + " old must be within the"
          + " de-duplication window (" + queue.deduplicationWindow() + ") less " + margin);
    }
  }

  /** Notifications sent again so far (each was missing, or stored once by de-duplication). */
  public long resent() {
    return resent;
  }

  /** Jobs failed "not submitted" so far. */
  public long failed() {
    return failed;
  }

  /**
   * Looks at the jobs that became {@code grace} old since the last round, oldest first. Does
   * nothing while the index is not caught up. Stops at the first job the store or queue cannot
   * handle now, to start from it in the next round.
   *
   * @return how many jobs were sent again or failed in this round
   * @throws BackendUnavailableException when the store or queue is unavailable (the next round
   *     goes on where this one stopped)
   */
  public int round() {
    if (!index.isCaughtUp()) {
      return 0;
    }
    long now = clock.millis();
    JobId oldest = lowest(now - horizon.toMillis());
    if (cursor == null) {
      cursor = oldest;
    }
    int acted = 0;
    int skipped = 0;
    for (JobSummary s : dueSince(cursor, now - grace.toMillis())) {
      boolean tooOld = s.id().compareTo(oldest) < 0;
      if (tooOld && !s.id().equals(unsent)) {
        skipped++; // this process fell behind: it never tried, so it cannot say
      } else if (act(s.id(), tooOld)) {
        acted++;
      }
      cursor = s.id();
    }
    if (skipped > 0) {
      LOG.log(Level.WARNING, "{0} jobs still submitted without a run were past the queue''s"
          + " de-duplication window before they could be looked at; left as they are", skipped);
    }
    if (acted > 0) {
      LOG.log(Level.INFO, "{0} jobs were still submitted without a run {1} s after their creation:"
          + " their notifications were sent again (a notification that had gone out is stored"
          + " once)", acted, grace.toSeconds());
    }
    return acted;
  }

  /** Jobs still submitted with ids above {@code after} created at or before {@code upTo}, oldest first. */
  private List<JobSummary> dueSince(JobId after, long upTo) {
    List<JobSummary> out = new ArrayList<>();
    JobId from = lowest(upTo + 1);
    while (true) {
      JobIndex.Slice page = index.page(JobStatus.SUBMITTED, PAGE, 0, from);
      boolean past = false;
      for (JobSummary s : page.items()) {
        if (s.id().compareTo(after) <= 0) {
          past = true;
          break;
        }
        out.add(s);
      }
      if (past || !page.more() || page.items().isEmpty()) {
        break;
      }
      from = page.items().get(page.items().size() - 1).id();
    }
    java.util.Collections.reverse(out);
    return out;
  }

  /**
   * Sends job {@code id} again when it has no run, or fails it "not submitted" when it is too old
   * for that. True when it did either.
   */
  private boolean act(JobId id, boolean tooOld) {
    unsent = id; // until sent
    boolean done = settle(id, tooOld);
    unsent = null;
    return done;
  }

  private boolean settle(JobId id, boolean tooOld) {
    Optional<Versioned<JobRecord>> found = store.find(id);
    if (found.isEmpty()) {
      return false; // deleted meanwhile
    }
    JobRecord record = found.get().value();
    if (!store.runs(record).isEmpty()) {
      return false; // a worker has it: its notification went out
    }
    if (tooOld) {
      String reason = "not submitted: its notification could not be confirmed within the"
          + " queue's de-duplication window";
      if (NotSubmitted.fail(store, clock, record, reason)) {
        return false; // a worker claimed it meanwhile
      }
      failed++;
      LOG.log(Level.WARNING, "job {0}: {1}; failed", id, reason);
      return true;
    }
    JobDeadline d = JobDeadline.of(record);
    if (d != null) {
      Futures.await(queue.scheduleDeadline(d));
    }
    if (record.rollout() == null) { // a rollout's released runs: sent again by RolloutService
      Futures.await(queue.publish(JobNotification.of(record)));
    }
    resent++;
    LOG.log(Level.DEBUG, "job {0} was still submitted with no run {1} ms after its creation: its"
        + " notification was sent again", id,
        clock.millis() - record.job().created().toEpochMilli());
    return true;
  }

  /** The lowest job id with creation time {@code millis}. */
  static JobId lowest(long millis) {
    long msb = (Math.max(0, millis) << 16) | 0x7000L;
    return new JobId(new UUID(msb, 0x8000000000000000L).toString());
  }
}
