package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.SettleLaterException;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Gives up on jobs whose deliveries ran out without any worker settling them (every holder died or
 * hung): sets the run {@code failed} and dead-lettered, with a reason, by compare-and-set, and
 * counts {@code osapi_jobs_dead_lettered_total} only when its own set won, so a job is counted once
 * however many controllers run this. Runs on the controllers.
 *
 * <p>The queue's report is not proof that no one runs the job: in a NATS cluster a consumer's new
 * leader works from the delivery state it took over, which can lag, so a delivery can be counted
 * as spent while its worker still runs it. A run that is {@code running} on a worker whose
 * process is alive and runs it (its entry in the registry, from a process started before the run
 * was claimed, lists the job among those it runs, or predates the claim) is left to that worker,
 * and the report is looked at again after the recheck delay ({@link SettleLaterException}): the
 * job ends as its worker ends it, or is dead-lettered once that process is gone or no longer runs
 * it.
 */
public final class DeadLetterService implements QueueListener {
  private static final System.Logger LOG = System.getLogger(DeadLetterService.class.getName());

  /** How long a report whose run is still held by a live worker waits before it is looked at again. */
  public static final Duration RECHECK = Duration.ofSeconds(30);

  /** How many held jobs it remembers having logged at INFO. */
  static final int HELD_KEPT = 1024;

  private final JobStore store;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final JobMetrics metrics;
  private final Clock clock;
  private final Duration recheck;
  private final Subscription subscription = new Subscription("dead-letter");
  /**
   * Jobs held for their worker that were logged at INFO already (later looks at DEBUG, so a job
   * that runs for hours logs once, not every recheck); the most recent {@value #HELD_KEPT}, a job
   * leaving it once a look does not hold it.
   */
  private final Set<JobId> told = Collections.newSetFromMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<JobId, Boolean> eldest) {
      return size() > HELD_KEPT;
    }
  });

  /**
   * @param store where runs live
   * @param queue which reports exhausted deliveries
   * @param registry which workers are alive
   * @param metrics where dead letters are counted
   * @param clock the time source
   * @param recheck how long a report whose run a live worker still holds waits ({@link #RECHECK})
   */
  public DeadLetterService(JobStore store, JobQueue queue, WorkerRegistry registry,
      JobMetrics metrics, Clock clock, Duration recheck) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.recheck = Objects.requireNonNull(recheck, "recheck");
    if (recheck.isNegative() || recheck.isZero()) {
      throw new IllegalArgumentException("recheck must be positive: " + recheck);
    }
  }

  /** Subscribes to exhausted deliveries. Idempotent. */
  @Override
  public void start() {
    subscription.open(() -> queue.onExhausted(this::handle));
  }

  /** Stops listening. Idempotent. */
  @Override
  public void close() {
    subscription.close();
  }

  /**
   * Settles one exhausted delivery.
   *
   * @return true when this call dead-lettered the run; false when there was nothing to do (the job
   *     is gone, or its run finished meanwhile)
   * @throws SettleLaterException when the run is running on a worker whose process is alive: the
   *     queue reports it again after the recheck delay
   * @throws io.osapi.core.domain.BackendUnavailableException when the store or the registry cannot
   *     be reached (the queue reports it again later); a permanent refusal is never thrown (see
   *     {@link JobTimeoutService#handle}: the same rules)
   */
  public boolean handle(ExhaustedDelivery e) {
    Optional<Versioned<JobRecord>> job;
    try {
      job = store.find(e.job());
    } catch (CorruptRecordException | PermanentStoreException ex) {
      LOG.log(Level.ERROR, "deliveries of job {0} ran out, but its record cannot be read: {1}",
          e.job(), ex.getMessage());
      return false;
    }
    if (job.isEmpty()) {
      LOG.log(Level.INFO, "deliveries of job {0} ran out, but the job is gone", e.job());
      return false;
    }
    String op = job.get().value().job().operation().type();
    String[] reason = new String[1];
    // decided on the run this end would replace, read once (OpenRuns reads it for the set)
    OpenRuns.Outcome outcome = OpenRuns.end(store, e.runKey(), prev -> {
      Optional<String> holder = liveHolder(e.job(), prev);
      if (holder.isPresent()) {
        throw held(e.job(), holder.get());
      }
      reason[0] = "gave up after " + e.deliveries() + " deliveries: "
          + (prev == null || prev.worker() == null ? "no worker finished it"
              : "worker " + prev.worker() + " did not finish it");
      return Run.deadLetter(prev, reason[0], clock.instant());
    });
    synchronized (told) {
      told.remove(e.job());
    }
    switch (outcome) {
      case ENDED:
        LOG.log(Level.WARNING, "job {0} dead-lettered: {1}", e.job(), reason[0]);
        metrics.jobDeadLettered(op);
        return true;
      case KEPT_CHANGING:
        LOG.log(Level.WARNING, "job {0}: its run kept changing; not dead-lettered", e.job());
        return false;
      case REFUSED: // logged by OpenRuns; not worth another try
        return false;
      default:
        return false;
    }
  }

  /** Logs {@code job} held for its worker (INFO on the first look, then DEBUG): the answer. */
  private SettleLaterException held(JobId job, String why) {
    boolean first;
    synchronized (told) {
      first = told.add(job);
    }
    LOG.log(first ? Level.INFO : Level.DEBUG, "deliveries of job {0} ran out, but {1}: looked at"
        + " again in {2}", job, why, recheck);
    return new SettleLaterException(why, recheck);
  }

  /**
   * Why the run {@code r} of {@code job} (null: none) must be left to its worker: it is {@code
   * running} on a worker whose live entry belongs to a process started no later than the run (a
   * restarted worker does not finish what its last process claimed) and lists the job among those
   * it runs, or was written before the claim (it cannot tell yet), or, from an older osapi that
   * lists none, counts some running; empty when nothing holds it (the worker handed the job back,
   * or could not record its end).
   */
  private Optional<String> liveHolder(JobId job, Run r) {
    if (r == null || r.state() != RunState.RUNNING || r.worker() == null || r.started() == null) {
      return Optional.empty();
    }
    for (WorkerInfo w : registry.workers()) {
      if (!w.id().equals(r.worker()) || w.started().isAfter(r.started())) {
        continue; // another worker, or a process started since the claim
      }
      String runs = "its delivery " + r.attempt() + " still runs on live worker " + r.worker()
          + " (since " + r.started();
      if (w.lastHeartbeat().isBefore(r.started())) {
        return Optional.of(runs + ", after its last heartbeat)"); // its entry cannot tell yet
      }
      boolean running = w.running() == null ? w.activeJobs() > 0 : w.running().contains(job);
      if (running) {
        return Optional.of(runs + ")");
      }
    }
    return Optional.empty();
  }
}
