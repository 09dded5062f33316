package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Rollout;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The create path of {@link JobClient}: validates a new job, then stores its record, schedules a
 * broadcast job's deadline and publishes its notification, holding the create through a backend
 * that is briefly unavailable (a NATS fail-over) for at most the create patience.
 *
 * <p>Every step is idempotent, so a step that failed with {@link BackendUnavailableException} is
 * tried again after a {@link Backoff} delay, with the job id fixed before the first attempt: the
 * record's create is a compare-and-set create, so a retry that finds the record already there (an
 * earlier attempt was stored although its answer was lost) goes on with it; the deadline and the
 * notification carry the job id as their de-duplication id, so a second publish stores nothing
 * new. No new attempt starts after the patience has run out (an attempt under way finishes); then
 * the caller hears the last failure. A job stored whose notification could not be published is
 * kept as failed, "not submitted", with every run failed by compare-and-set, so a notification
 * that went out after all never runs it (or, when a worker claimed it first, it is created after
 * all).
 */
final class JobSubmitter {
  private static final System.Logger LOG = System.getLogger(JobSubmitter.class.getName());

  /**
   * Threads that run held attempts and settle unpublished jobs (both may block on the store): the
   * client's own, shut down by {@link #close}; idle ones end after 30 s.
   */
  private final ThreadPoolExecutor retryThreads = retryPool();

  private final JobStore store;
  private final JobQueue queue;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  private final Duration defaultTimeout;
  private final Duration patience;
  private final Backoff backoff;
  private final TargetWorkers targets;
  private final JobSigner signer;
  private final JobTracing tracing;

  JobSubmitter(JobStore store, JobQueue queue, WorkerRegistry registry,
      OperationRegistry operations, JobMetrics metrics, Clock clock, Duration defaultTimeout,
      Duration patience, Backoff backoff, JobSigner signer, JobTracing tracing) {
    this.store = store;
    this.tracing = tracing;
    this.queue = queue;
    this.targets = new TargetWorkers(registry);
    this.signer = signer;
    this.operations = operations;
    this.metrics = metrics;
    this.clock = clock;
    this.defaultTimeout = checkTimeout("timeout", defaultTimeout);
    if (patience.isNegative()) {
      throw new IllegalArgumentException("createPatience must not be negative: " + patience);
    }
    this.patience = patience;
    this.backoff = backoff;
  }

  Duration defaultTimeout() {
    return defaultTimeout;
  }

  /** The time source of the job ids and creation times. */
  Clock clock() {
    return clock;
  }

  /** How long a create is held while the store or queue is unavailable. */
  Duration patience() {
    return patience;
  }

  /** As {@link JobClient#create}: waits for the held create, and for one write beyond it. */
  JobView create(CreateJobRequest request) {
    return held(createAsync(request));
  }

  /** Waits for a held create: the patience, and one write beyond it. */
  JobView held(CompletableFuture<JobView> f) {
    return Futures.await(f, patience.plus(Futures.WRITE_WAIT));
  }

  /** As {@link JobClient#createAsync}, not traced under a caller's span. */
  CompletableFuture<JobView> createAsync(CreateJobRequest request) {
    return createAsync(request, (TraceContext) null);
  }

  /** As {@link JobClient#createAsync(CreateJobRequest, TraceContext)}. */
  CompletableFuture<JobView> createAsync(CreateJobRequest request, TraceContext parent) {
    return createAsync(request, JobId.generate(clock), null, parent);
  }

  /**
   * As {@link JobClient#createScheduled}: the job {@code id}, whose record may exist already (an
   * earlier create of the same tick, by this or another controller), with {@code submitted} as
   * its first timeline entry; null for an API create.
   */
  CompletableFuture<JobView> createAsync(CreateJobRequest request, JobId id,
      TimelineEntry submitted) {
    return createAsync(request, id, submitted, null);
  }

  /**
   * The create of every other: the job {@code id}; {@code submitted} null for an API create with
   * a new id, or the first timeline entry of a job whose id was fixed beforehand and whose record
   * may exist already (a schedule's tick, an idempotency key's reservation); traced under
   * {@code parent} (null: none).
   */
  CompletableFuture<JobView> createAsync(CreateJobRequest request, JobId id,
      TimelineEntry submitted, TraceContext parent) {
    OperationDefinition def = operations.require(request.type());
    if (request.data() != null && request.data().length() > JobClient.MAX_DATA_CHARS) {
      throw new InvalidInputException("operation.data",
          "operation.data is larger than " + JobClient.MAX_DATA_CHARS + " characters");
    }
    Operation op = new Operation(def.type(), request.data());
    Target target = Target.parse(request.target());
    Duration timeout = null;
    if (!(target instanceof Target.Any)) {
      timeout = request.timeout() == null ? defaultTimeout
          : checkTimeout("timeout_seconds", request.timeout());
      checkRetention(request.timeout() == null ? "the default timeout" : "timeout_seconds",
          timeout);
    } else if (request.timeout() != null) {
      throw new InvalidInputException("timeout_seconds",
          "timeout_seconds applies to broadcast targets (_all, a worker id, key:value) only;"
              + " an _any job is redelivered until its deliveries run out");
    }
    Rollout rollout = request.rollout();
    if (rollout != null && !(target instanceof Target.All || target instanceof Target.Label)) {
      throw new InvalidInputException("rollout", "a rollout applies to _all and label targets"
          + " only, not " + (target instanceof Target.Any ? "_any" : "one worker's id"));
    }
    // the id is fixed before the first attempt: every retry writes the same job
    Job job = signed(new Job(id, op, def.kind(), target, clock.instant()), def, timeout);
    Duration t = timeout;
    CreateHold hold = hold(job.id());
    CompletableFuture<List<String>> expected = hold.attempt("reading the registered workers",
        () -> CompletableFuture.completedFuture(targets.expected(target, def)));
    if (expected.isCompletedExceptionally()) {
      Throwable c = Futures.unwrap(expected.handle((v, e) -> e).join());
      if (c instanceof InvalidInputException bad) {
        throw bad; // refused before anything is stored, as the contract says
      }
    }
    JobSpan span = tracing.jobCreate(job, parent);
    Function<List<String>, CompletableFuture<JobView>> submit;
    if (submitted == null) {
      submit = w -> submit(RolloutReleases.first(
          JobRecord.submitted(job, w, t).withTrace(span.context()), rollout, job.created()),
          hold);
    } else {
      TimelineEntry first = new TimelineEntry(job.created(), submitted.event(),
          submitted.worker(), submitted.message(), null);
      submit = w -> submit(RolloutReleases.first(
          new JobRecord(job, w, List.of(first), t).withTrace(span.context()), rollout,
          job.created()), hold, true);
    }
    // read at once (the usual case): submitted without a stage to relay the outcome through
    CompletableFuture<JobView> created = expected.isDone() && !expected.isCompletedExceptionally()
        ? composed(submit, expected.join()) : expected.thenCompose(submit);
    created.whenComplete((v, err) -> {
      if (err != null) {
        span.failed(Futures.unwrap(err).getMessage());
      }
      span.end();
    });
    return created;
  }

  static Duration checkTimeout(String field, Duration t) {
    if (t.compareTo(JobClient.MIN_TIMEOUT) < 0 || t.compareTo(JobClient.MAX_TIMEOUT) > 0) {
      throw new InvalidInputException(field, field + " must be between "
          + JobClient.MIN_TIMEOUT.toSeconds() + " and " + JobClient.MAX_TIMEOUT.toSeconds()
          + " seconds");
    }
    return t;
  }

  /**
   * A job must outlive its timeout: refused when the store keeps jobs for less than {@code t} and
   * {@link JobClient#RETENTION_BEYOND_TIMEOUT} (the store's real retention, set by its owner).
   */
  private void checkRetention(String what, Duration t) {
    Duration kept = store.retention();
    if (!kept.isZero() && t.plus(JobClient.RETENTION_BEYOND_TIMEOUT).compareTo(kept) > 0) {
      long most = kept.minus(JobClient.RETENTION_BEYOND_TIMEOUT).toSeconds();
      throw new InvalidInputException("timeout_seconds", what + " (" + t.toSeconds() + " s) is"
          + " longer than the job store keeps jobs allows: jobs are kept " + kept.toSeconds()
          + " s after their last change (--job-ttl), so a timeout may be " + Math.max(0, most)
          + " s at most");
    }
  }

  /** Stores, schedules and publishes {@code record}, held for the patience. */
  CompletableFuture<JobView> submit(JobRecord record) {
    return submit(record, hold(record.job().id()));
  }

  /** A new hold of job {@code id}'s create, for this client's patience. */
  private CreateHold hold(JobId id) {
    return new CreateHold(id, patience, backoff, retryThreads);
  }

  private CompletableFuture<JobView> submit(JobRecord record, CreateHold hold) {
    return submit(record, hold, false);
  }

  /**
   * {@code mayExist}: the id was fixed by the caller, and a record stored under it is this job.
   * The steps are chained by callbacks that complete one future, the create's: no stage between
   * a step's answer and the next, or between the last and the caller.
   */
  private CompletableFuture<JobView> submit(JobRecord record, CreateHold hold, boolean mayExist) {
    AtomicInteger creates = new AtomicInteger(mayExist ? 1 : 0);
    CompletableFuture<JobView> created = new CompletableFuture<>();
    JobDeadline deadline = JobDeadline.of(record);
    hold.attempt("storing the job", () -> stored(record, creates.getAndIncrement() > 0))
        .whenComplete((rev, err) -> {
          try {
            if (err != null) {
              failed(created, err);
            } else if (deadline == null) { // an _any job has no deadline to schedule: no step
              publish(record, hold, created);
            } else {
              then(record, hold.attempt("scheduling its deadline",
                  () -> queue.scheduleDeadline(deadline)), created,
                  () -> publish(record, hold, created));
            }
          } catch (RuntimeException thrown) { // as a thenCompose stage would: the create fails
            failed(created, thrown);
          }
        });
    return created;
  }

  private void publish(JobRecord record, CreateHold hold, CompletableFuture<JobView> created) {
    String op = record.job().operation().type();
    then(record, hold.attempt("publishing its notification", () -> published(record)), created,
        () -> {
          metrics.jobCreated(op);
          if (record.rollout() != null) {
            metrics.rolloutReleased(op, record.rollout().released());
          }
          if (hold.retries > 0) {
            LOG.log(Level.INFO, "job {0} created after {1} retries in {2} ms (the backend was"
                + " unavailable)", record.job().id(), hold.retries, hold.elapsedMillis());
          }
          created.complete(JobView.of(record, Map.of()));
        });
  }

  /**
   * Runs {@code next} once {@code step} (a step after the record's create) succeeded; when it
   * failed for good, settles the stored job by compare-and-set instead of deleting it (the
   * notification may have gone out although the publish failed): every run of the job is
   * created {@code failed}, "not submitted", so a worker that gets the notification after all
   * finds the run done and does not run it. When a worker claimed a run first, the notification
   * did go out and the job is live: {@code next} runs after all. Otherwise {@code created}
   * fails with the step's failure, and the job stays listed as failed with the reason.
   */
  private void then(JobRecord record, CompletableFuture<Void> step,
      CompletableFuture<JobView> created, Runnable next) {
    step.whenComplete((v, err) -> {
      try {
        if (err == null) {
          next.run();
          return;
        }
        Throwable cause = Futures.unwrap(err);
        // off the store's completion thread: the writes block on round trips
        CompletableFuture.supplyAsync(() -> liveAfterAll(record, cause), retryThreads)
            .whenComplete((live, e) -> {
              try {
                if (e != null) {
                  failed(created, e);
                } else if (live) {
                  next.run();
                } else {
                  failed(created, cause);
                }
              } catch (RuntimeException thrown) {
                failed(created, thrown);
              }
            });
      } catch (RuntimeException thrown) { // the next step's, or the retry threads closed
        failed(created, thrown);
      }
    });
  }

  /** {@code submit} of {@code workers} as {@code thenCompose} runs it: what it throws fails it. */
  private static CompletableFuture<JobView> composed(
      Function<List<String>, CompletableFuture<JobView>> submit, List<String> workers) {
    try {
      return submit.apply(workers);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(new CompletionException(e));
    }
  }

  /** Fails {@code created} with {@code err} as a dependent stage would: in a completion one. */
  private static void failed(CompletableFuture<JobView> created, Throwable err) {
    created.completeExceptionally(
        err instanceof CompletionException ? err : new CompletionException(err));
  }

  /**
   * The record's compare-and-set create. On a retry, a record that exists already is this job's,
   * stored by an attempt whose answer was lost: the create goes on with it.
   */
  private CompletableFuture<Long> stored(JobRecord record, boolean retry) {
    CompletableFuture<Long> f = store.create(record);
    if (!retry) {
      return f;
    }
    return f.exceptionallyCompose(e -> Futures.unwrap(e) instanceof RevisionConflictException
        ? CompletableFuture.completedFuture(0L) : CompletableFuture.failedFuture(e));
  }

  /**
   * Publishes the notification (de-duplicated by job id in the queue); a rolling broadcast's
   * goes to the workers of its first release step only ({@link RolloutReleases#publish}).
   */
  private CompletableFuture<Void> published(JobRecord record) {
    return record.rollout() != null ? RolloutReleases.publish(queue, record)
        : queue.publish(JobNotification.of(record));
  }

  /** Fails every run of an unpublished job; true when a worker had claimed one already. */
  private boolean liveAfterAll(JobRecord record, Throwable cause) {
    String reason = "not submitted: its notification could not be published ("
        + cause.getMessage() + ")";
    try {
      if (NotSubmitted.fail(store, clock, record, reason)) {
        LOG.log(Level.INFO, "job {0}: its publish failed, but a worker has it: created after all",
            record.job().id());
        return true;
      }
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      LOG.log(Level.WARNING, "job {0}: its publish failed and it could not be marked as not"
          + " submitted: {1}", record.job().id(), e.getMessage());
    }
    return false;
  }

  /** As {@link TargetWorkers#expected}. */
  List<String> expectedWorkers(Target target, OperationDefinition def) {
    return targets.expected(target, def);
  }

  /**
   * {@code job} as it is stored: signed when its operation is privileged, valid for a broadcast
   * job's timeout (and {@link JobClient#SIGNATURE_GRACE} for clocks that differ), for {@link
   * JobClient#ANY_SIGNATURE_LIFETIME} for an {@code _any} job.
   *
   * @throws InvalidInputException for a privileged operation when this client has no signer
   */
  Job signed(Job job, OperationDefinition def, Duration timeout) {
    if (!def.privileged()) {
      return job;
    }
    if (signer == null) {
      throw new InvalidInputException("operation.type", "operation " + def.type() + " is"
          + " privileged and this controller has no job signing key (--job-signing-key-file):"
          + " it creates no privileged jobs");
    }
    Duration valid = timeout == null ? JobClient.ANY_SIGNATURE_LIFETIME
        : timeout.plus(JobClient.SIGNATURE_GRACE);
    return signer.sign(job, job.created().plus(valid));
  }

  /** Stops the retry threads: held creates still waiting fail with the backend unavailable. */
  void close() {
    retryThreads.shutdownNow();
  }

  private static ThreadPoolExecutor retryPool() {
    ThreadPoolExecutor t = new ThreadPoolExecutor(8, 8, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), DaemonThreads.named("osapi-create-retries"));
    t.allowCoreThreadTimeOut(true);
    return t;
  }
}
