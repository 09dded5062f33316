package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The job client: creates, reads, lists, retries and deletes jobs.
 *
 * <p>Input is validated before anything is stored: an unknown operation type, data that is not
 * JSON, a malformed target, or a broadcast target ({@code _all}, host, label) that no registered
 * worker matches is refused with {@link InvalidInputException}, and then nothing is stored and no
 * metric moves. The workers a broadcast target matches at submit are the job's expected workers:
 * its status is decided by their runs, and they have a timeout to answer (the request's, else the
 * client's default): the job's deadline is scheduled on the queue at submit, and {@link
 * JobTimeoutService} fails the runs still open when it is due. A store or queue that cannot be reached surfaces as {@link
 * BackendUnavailableException}; a job whose notification could not be published is kept as
 * failed, "not submitted", with every run failed by compare-and-set, so a notification that went
 * out after all never runs it (or, when a worker claimed it first, the job is created after all).
 */
public final class JobClient {
  /** Largest page {@link #list} returns. */
  public static final int MAX_PAGE = 100;

  /** Largest operation data accepted, in characters. */
  public static final int MAX_DATA_CHARS = 64 * 1024;

  /** Default time the expected workers of a broadcast job have to answer. */
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

  /** Shortest timeout a broadcast job may have. */
  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);

  /** Longest timeout a broadcast job may have. */
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

  private static final System.Logger LOG = System.getLogger(JobClient.class.getName());

  private final JobStore store;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  /** The index of listings: given, or made on first use. */
  private volatile JobIndex index;
  private final Duration defaultTimeout;

  /**
   * @param store where jobs live
   * @param queue where notifications go
   * @param registry live workers: the expected workers of broadcast jobs
   * @param operations the known operations
   * @param metrics where {@code jobCreated} is reported
   * @param clock the time source
   */
  public JobClient(
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock) {
    this(store, queue, registry, operations, metrics, clock, DEFAULT_TIMEOUT, null);
  }

  /** As the full constructor, with the default job timeout. */
  public JobClient(
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock,
      JobIndex index) {
    this(store, queue, registry, operations, metrics, clock, DEFAULT_TIMEOUT, index);
  }

  /** As the full constructor, making the index on first use. */
  public JobClient(
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock,
      Duration defaultTimeout) {
    this(store, queue, registry, operations, metrics, clock, defaultTimeout, null);
  }

  /**
   * @param store where jobs live
   * @param queue where notifications and deadlines go
   * @param registry live workers: the expected workers of broadcast jobs
   * @param operations the known operations
   * @param metrics where {@code jobCreated} is reported
   * @param clock the time source
   * @param defaultTimeout how long the expected workers of a broadcast job have to answer when
   *     the request does not say ({@link #MIN_TIMEOUT} to {@link #MAX_TIMEOUT})
   * @param index the index of {@code store} that {@link #list} and {@link #stats} read (its owner
   *     starts and closes it), or null to make one watching {@code store} on first use
   */
  public JobClient(
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock,
      Duration defaultTimeout,
      JobIndex index) {
    this.index = index;
    this.defaultTimeout = checkTimeout("timeout", Objects.requireNonNull(defaultTimeout));
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.operations = Objects.requireNonNull(operations, "operations");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Validates, stores and publishes a new job, and waits for both.
   *
   * @return the stored job, status submitted
   * @throws InvalidInputException for bad input (nothing stored)
   * @throws BackendUnavailableException when the store or queue is unreachable (nothing kept)
   */
  public JobView create(CreateJobRequest request) {
    return await(createAsync(request));
  }

  /**
   * Validates a new job at once, then stores and publishes it without waiting: the record is
   * created, and once stored the notification is published. Callers pipeline many jobs this way.
   *
   * @return completes with the stored job (status submitted) once its notification is out, or
   *     exceptionally with {@link BackendUnavailableException} (then nothing is kept)
   * @throws InvalidInputException for bad input, before anything is stored
   */
  public CompletableFuture<JobView> createAsync(CreateJobRequest request) {
    Objects.requireNonNull(request, "request");
    OperationDefinition def = operations.require(request.type());
    if (request.data() != null && request.data().length() > MAX_DATA_CHARS) {
      throw new InvalidInputException(
          "operation.data", "operation.data is larger than " + MAX_DATA_CHARS + " characters");
    }
    Operation op = new Operation(def.type(), request.data());
    Target target = Target.parse(request.target());
    Duration timeout = null;
    if (!(target instanceof Target.Any)) {
      timeout = request.timeout() == null ? defaultTimeout
          : checkTimeout("timeout_seconds", request.timeout());
    } else if (request.timeout() != null) {
      throw new InvalidInputException("timeout_seconds",
          "timeout_seconds applies to broadcast targets (_all, a worker id, key:value) only;"
              + " an _any job is redelivered until its deliveries run out");
    }
    List<String> expected = expectedWorkers(target);
    Job job = new Job(JobId.generate(clock), op, def.kind(), target, clock.instant());
    return submit(JobRecord.submitted(job, expected, timeout));
  }

  private static Duration checkTimeout(String field, Duration t) {
    if (t.compareTo(MIN_TIMEOUT) < 0 || t.compareTo(MAX_TIMEOUT) > 0) {
      throw new InvalidInputException(field, field + " must be between "
          + MIN_TIMEOUT.toSeconds() + " and " + MAX_TIMEOUT.toSeconds() + " seconds");
    }
    return t;
  }

  private CompletableFuture<JobView> submit(JobRecord record) {
    Job job = record.job();
    CompletableFuture<Long> stored;
    try {
      stored = store.create(record);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored
        .thenCompose(rev -> orRemoved(record, scheduled(record)))
        .thenCompose(v -> orRemoved(record, published(record)))
        .thenApply(
            v -> {
              metrics.jobCreated(job.operation().type());
              return JobView.of(record, Map.of());
            });
  }

  /** Schedules a broadcast job's deadline (before its notification goes out). */
  private CompletableFuture<Void> scheduled(JobRecord record) {
    JobDeadline d = JobDeadline.of(record);
    if (d == null) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return queue.scheduleDeadline(d);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Publishes the notification. */
  private CompletableFuture<Void> published(JobRecord record) {
    try {
      return queue.publish(JobNotification.of(record));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * {@code p}; when it fails, settles the job by compare-and-set instead of deleting it (the
   * notification may have gone out although the publish failed): every run of the job is created
   * {@code failed}, "not submitted", so a worker that gets the notification after all finds the run
   * done and does not run it. When a worker claimed a run first, the notification did go out and
   * the job is live: created after all. Otherwise the caller hears the failure, and the job stays
   * listed as failed with the reason.
   */
  private CompletableFuture<Void> orRemoved(JobRecord record, CompletableFuture<Void> p) {
    return p.handle((v, err) -> {
      if (err == null) {
        return CompletableFuture.<Void>completedFuture(null);
      }
      Throwable cause = unwrap(err);
      // off the store's completion thread: the writes block on round trips
      return CompletableFuture.supplyAsync(() -> liveAfterAll(record, cause))
          .thenCompose(live -> live ? CompletableFuture.<Void>completedFuture(null)
              : CompletableFuture.<Void>failedFuture(cause));
    }).thenCompose(f -> f);
  }

  /** Fails every run of an unpublished job; true when a worker had claimed one already. */
  private boolean liveAfterAll(JobRecord record, Throwable cause) {
    String reason = "not submitted: its notification could not be published ("
        + cause.getMessage() + ")";
    for (io.osapi.core.domain.RunKey key : record.runKeys()) {
      java.time.Instant now = clock.instant();
      io.osapi.core.domain.Run failed = new io.osapi.core.domain.Run(
          io.osapi.core.domain.RunState.FAILED, null, 0, null, now, null, reason, false,
          List.of(new TimelineEntry(now, "failed", "_api", reason, reason)));
      try {
        await(store.putRun(key, failed, 0));
      } catch (RevisionConflictException claimed) {
        LOG.log(System.Logger.Level.INFO, "job {0}: its publish failed, but a worker has it:"
            + " created after all", record.job().id());
        return true;
      } catch (RuntimeException e) {
        cause.addSuppressed(e);
        LOG.log(System.Logger.Level.WARNING, "job {0}: its publish failed and it could not be"
            + " marked as not submitted: {1}", record.job().id(), e.getMessage());
        return false;
      }
    }
    return false;
  }

  /**
   * The job with its computed status, or empty when unknown. The record and the run an {@code
   * _any} job would have are read at the same time (most jobs are {@code _any}: one round trip
   * instead of two); a broadcast job's runs are read once the record names them.
   */
  public Optional<JobView> get(JobId id) {
    CompletableFuture<Optional<Versioned<Run>>> any = readAnyRun(id);
    return store.find(id).map(v -> view(v.value(), any));
  }

  private CompletableFuture<Optional<Versioned<Run>>> readAnyRun(JobId id) {
    return CompletableFuture.supplyAsync(() -> store.run(RunKey.any(id)), reads());
  }

  private JobView view(JobRecord record, CompletableFuture<Optional<Versioned<Run>>> any) {
    RunKey anyKey = RunKey.any(record.job().id());
    if (record.runKeys().equals(List.of(anyKey))) {
      Optional<Versioned<Run>> run = join(any);
      return JobView.of(record, run.isEmpty() ? Map.of() : Map.of(anyKey, run.get().value()));
    }
    return JobView.of(record, store.runs(record));
  }

  private static <T> T join(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendUnavailableException("read failed: " + c.getMessage(), c);
    }
  }

  /** Threads that read a job's record and run at the same time (reads wait for the store). */
  private static volatile ExecutorService readPool;

  private static ExecutorService reads() {
    ExecutorService p = readPool;
    if (p == null) {
      synchronized (JobClient.class) {
        p = readPool;
        if (p == null) {
          AtomicInteger n = new AtomicInteger();
          ThreadPoolExecutor t = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30,
              TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread th = new Thread(r, "osapi-job-reads-" + n.incrementAndGet());
                th.setDaemon(true);
                return th;
              });
          t.allowCoreThreadTimeOut(true);
          readPool = p = t;
        }
      }
    }
    return p;
  }

  /** Threads that read the {@code _any} run beside a detail's record, over all requests. */
  private static final int READ_THREADS = 16;

  /**
   * Lists jobs newest first.
   *
   * @param status only jobs with this status, or null for all
   * @param limit 1 to {@value #MAX_PAGE}
   * @param offset 0 or more
   * @throws InvalidInputException for paging out of range
   */
  public JobPage list(JobStatus status, int limit, int offset) {
    return list(status, limit, offset, null);
  }

  /**
   * Lists jobs newest first, from the index alone: the page's items, order and total come from
   * memory (a cost that grows with the page, not with the store; no store read), kept by the
   * index's watch of the store, so a write shows in the next list once the watch delivered it
   * (within milliseconds on one host). Items carry what {@link JobSummary} holds; the operation's
   * data, errors and results are in {@link #get}.
   *
   * @param status only jobs with this status, or null for all
   * @param limit 1 to {@value #MAX_PAGE}
   * @param offset matching jobs to skip, 0 or more (after the cursor when there is one)
   * @param after the cursor: only jobs older than this one (which need not exist any more), or
   *     null to start with the newest
   * @throws InvalidInputException for paging out of range
   * @throws BackendUnavailableException while the index is still reading the store at start
   */
  public JobPage list(JobStatus status, int limit, int offset, JobId after) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_PAGE);
    }
    if (offset < 0) {
      throw new InvalidInputException("offset", "offset must not be negative");
    }
    JobIndex.Slice slice = index().page(status, limit, offset, after);
    List<JobSummary> items = slice.items();
    JobId next = slice.more() && !items.isEmpty() ? items.get(items.size() - 1).id() : null;
    return new JobPage(items, (int) Math.min(Integer.MAX_VALUE, slice.total()), next);
  }

  /**
   * Counts jobs by status, from the index (counters, no reads).
   *
   * @throws BackendUnavailableException while the index is still reading the store at start
   */
  public JobStats stats() {
    return index().stats();
  }

  /** The index, caught up with the store. */
  private JobIndex index() {
    JobIndex i = index;
    if (i == null) {
      synchronized (this) {
        i = index;
        if (i == null) {
          i = JobIndex.of(store, clock);
          index = i;
        }
      }
      long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!i.isCaughtUp() && System.nanoTime() < end) {
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    if (!i.isCaughtUp()) {
      throw new BackendUnavailableException("the job index is still reading the job store ("
          + i.behind() + " writes to go)", null);
    }
    return i;
  }

  /**
   * Deletes a job with its runs.
   *
   * @return false when there was no such job
   */
  public boolean delete(JobId id) {
    return store.delete(id);
  }

  /**
   * Creates a new job with the same operation, to the given target or the original one, and
   * notes {@code retried as <new id>} on the original.
   *
   * @return the new job, or empty when {@code id} is unknown
   */
  public Optional<JobView> retry(JobId id, String target) {
    Optional<Versioned<JobRecord>> original = store.find(id);
    if (original.isEmpty()) {
      return Optional.empty();
    }
    Job old = original.get().value().job();
    OperationDefinition def = operations.require(old.operation().type());
    Target t = target == null || target.isBlank() ? old.target() : Target.parse(target);
    List<String> expected = expectedWorkers(t);
    Duration timeout = t instanceof Target.Any ? null
        : original.get().value().timeout() != null ? original.get().value().timeout()
            : defaultTimeout;
    Job job = new Job(JobId.generate(clock), old.operation(), def.kind(), t, clock.instant());
    JobView created = await(submit(JobRecord.submitted(job, expected, timeout)));
    TimelineEntry note = new TimelineEntry(
        clock.instant(), "retried", "_api", "retried as " + job.id().value(), null);
    Versioned<JobRecord> cur = original.get();
    for (int i = 0; ; i++) {
      try {
        await(store.update(cur.value().with(note), cur.revision()));
        break;
      } catch (RevisionConflictException e) {
        Optional<Versioned<JobRecord>> again = store.find(id);
        if (again.isEmpty() || i >= 4) {
          LOG.log(System.Logger.Level.WARNING,
              "job {0} was retried as {1}, but the note could not be written", id, job.id());
          break;
        }
        cur = again.get();
      }
    }
    refreshFinishedRuns(cur.value());
    return Optional.of(created);
  }

  /**
   * Writes the finished runs of a job again, unchanged, after its record was written again (a
   * retry note): values leave the store {@link JobStore#retention()} after their own last write,
   * so a run older than its record would go first and leave the job reading as submitted, in its
   * detail and its listing, for the rest of the record's life. Runs not finished are written
   * again when they finish. Compare-and-set: a run written meanwhile is newer anyway.
   */
  private void refreshFinishedRuns(JobRecord record) {
    for (RunKey key : record.runKeys()) {
      try {
        Optional<Versioned<Run>> run = store.run(key);
        if (run.isPresent() && run.get().value().state().terminal()) {
          await(store.putRun(key, run.get().value(), run.get().revision()));
        }
      } catch (RevisionConflictException e) {
        // written meanwhile: its write time is newer than the note's
      } catch (RuntimeException e) {
        LOG.log(System.Logger.Level.WARNING, "job {0}: its finished run {1} could not be written"
            + " again after the retry note (it may leave the store before the record): {2}",
            key.job(), key.slot(), e.getMessage());
      }
    }
  }

  /** The workers in the heartbeat registry. */
  public List<WorkerInfo> workers() {
    return registry.workers();
  }

  /** What a drain or undrain request did. */
  public enum DrainOutcome {
    /** The request was recorded; the worker follows it within a second or so. */
    DONE,
    /** No registered worker has that id. */
    UNKNOWN_WORKER,
    /** The worker is in that state already (drain requested, or not). */
    ALREADY
  }

  /**
   * Asks a registered worker to drain: it takes no new jobs, finishes what it runs, then reports
   * {@code cordoned}; the request outlives its restarts until {@link #undrain}. From now on it is
   * not an expected worker of new broadcast jobs.
   */
  public DrainOutcome drain(String workerId) {
    if (!registered(workerId)) {
      return DrainOutcome.UNKNOWN_WORKER;
    }
    return registry.requestDrain(workerId) ? DrainOutcome.DONE : DrainOutcome.ALREADY;
  }

  /** Withdraws a registered worker's drain request: it is ready and takes jobs again. */
  public DrainOutcome undrain(String workerId) {
    if (!registered(workerId)) {
      return DrainOutcome.UNKNOWN_WORKER;
    }
    return registry.cancelDrain(workerId) ? DrainOutcome.DONE : DrainOutcome.ALREADY;
  }

  private boolean registered(String workerId) {
    return workerId != null && registry.workers().stream().anyMatch(w -> w.id().equals(workerId));
  }

  /** The operations jobs may use. */
  public OperationRegistry operations() {
    return operations;
  }

  /**
   * The registered workers a broadcast target matches, sorted, leaving out those draining or
   * cordoned (by their heartbeat, or a drain request they have not seen yet); none for {@code
   * _any}.
   *
   * @throws InvalidInputException when no registered ready worker matches a broadcast target
   */
  private List<String> expectedWorkers(Target target) {
    if (target instanceof Target.Any) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    Set<String> draining = null;
    for (WorkerInfo w : registry.workers()) {
      if (w.state() != SchedulingState.READY) {
        continue;
      }
      if (draining == null) {
        draining = registry.drainRequests();
      }
      if (draining.contains(w.id())) {
        continue;
      }
      boolean match;
      if (target instanceof Target.Host h) {
        match = w.id().equals(h.workerId());
      } else if (target instanceof Target.Label l) {
        match = l.matches(w.labels().get(l.key()));
      } else {
        match = true; // _all
      }
      if (match) {
        out.add(w.id());
      }
    }
    if (out.isEmpty()) {
      String why = target instanceof Target.Host h
          ? "no registered ready worker has id '" + h.workerId() + "'"
          : target instanceof Target.Label l
              ? "no registered ready worker has a label matching '" + l.text() + "'"
              : "no ready worker is registered to run an _all job";
      throw new InvalidInputException("target", why);
    }
    out.sort(null);
    return List.copyOf(out);
  }

  /** Waits up to 30 s for {@code f}, rethrowing its failure as it was thrown. */
  static <T> T await(CompletableFuture<T> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException("interrupted while writing", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable c = unwrap(e);
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendUnavailableException("write failed: " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new BackendUnavailableException("write timed out", e);
    }
  }

  static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
