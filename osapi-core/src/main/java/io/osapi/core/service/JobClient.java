package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerPage;
import io.osapi.core.port.Broker;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobTracing;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The job client: creates, reads, lists, retries and deletes jobs, and drains workers. This is
 * the API embedders call, a front that delegates each role to a package-private part: the create
 * path ({@code JobSubmitter}: validation, the held create, publishing), reads ({@code JobReader}),
 * retries, cancels, listings ({@code JobListings}, over a {@link JobIndex}) and workers ({@code
 * WorkerControl}: drains and keys).
 *
 * <p>Input is validated before anything is stored: an unknown operation type, data that is not
 * JSON, a malformed target, or a broadcast target ({@code _all}, host, label) that no registered
 * worker matches is refused with {@link InvalidInputException}, and then nothing is stored and no
 * metric moves. The workers a broadcast target matches at submit are the job's expected workers:
 * its status is decided by their runs, and they have a timeout to answer (the request's, else the
 * client's default): the job's deadline is scheduled on the queue at submit, and {@link
 * JobTimeoutService} fails the runs still open when it is due.
 *
 * <p>A create is held while the store or queue is unavailable (a NATS fail-over elects a new
 * leader in a few seconds) for up to the create patience ({@link #DEFAULT_CREATE_PATIENCE} unless
 * given), each step (record, deadline, notification) tried again, idempotently, after a {@link
 * Backoff} delay. Past the patience the create fails with {@link BackendUnavailableException}; a
 * job stored whose notification could not be published is then kept as failed, "not submitted",
 * so it never runs (unless a worker claimed it first: then it is created after all).
 */
public final class JobClient implements AutoCloseable {
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

  /**
   * How much longer than its timeout a job must be kept ({@link JobStore#retention()}): its record
   * is written once, at submit, and must still be there when its deadline is handled. A store kept
   * for less refuses longer timeouts; {@code --job-ttl} must be at least {@code --job-timeout}
   * plus this.
   */
  public static final Duration RETENTION_BEYOND_TIMEOUT = Duration.ofMinutes(1);

  /** How long the signature of a privileged {@code _any} job is valid after its creation. */
  public static final Duration ANY_SIGNATURE_LIFETIME = Duration.ofMinutes(15);

  /**
   * How long the signature of a privileged broadcast job is valid past its timeout (its runs do
   * not start later; the margin is for worker clocks that run ahead).
   */
  public static final Duration SIGNATURE_GRACE = Duration.ofMinutes(1);

  /** Default time a create is held while the store or queue is unavailable. */
  public static final Duration DEFAULT_CREATE_PATIENCE = Duration.ofSeconds(15);

  private final JobStore store;
  private final OperationRegistry operations;
  private final JobSubmitter submitter;
  private final JobReader reader;
  private final JobRetrier retrier;
  private final JobCanceller canceller;
  private final JobListings listings;
  private final WorkerControl workers;
  private volatile boolean closed;

  private JobClient(Builder b) {
    this.store = b.broker.store();
    WorkerRegistry registry = b.broker.registry();
    this.operations = b.operations;
    Clock clock = b.clock;
    this.workers = new WorkerControl(registry, clock);
    this.reader = new JobReader(store, workers.keys());
    this.submitter = new JobSubmitter(store, b.broker.queue(), registry, operations, b.metrics,
        clock, b.defaultTimeout, b.createPatience, Backoff.CREATE, b.signer, b.tracing);
    this.retrier = new JobRetrier(store, operations, submitter, clock);
    this.canceller = new JobCanceller(store, reader, b.metrics, clock);
    this.listings = new JobListings(store, clock, b.index, reader);
  }

  /**
   * A builder for a job client on {@code broker}, with the defaults: metrics {@link
   * JobMetrics#noop()}, clock {@link Clock#systemUTC()}, job timeout {@link #DEFAULT_TIMEOUT},
   * create patience {@link #DEFAULT_CREATE_PATIENCE}, an index made on first use.
   *
   * @param broker where jobs, notifications and heartbeats live (the client does not close it)
   * @param operations the known operations
   */
  public static Builder builder(Broker broker, OperationRegistry operations) {
    return new Builder(broker, operations);
  }

  /** Builds a {@link JobClient}; every setter returns the builder. */
  public static final class Builder {
    private final Broker broker;
    private final OperationRegistry operations;
    private JobMetrics metrics = JobMetrics.noop();
    private JobTracing tracing = JobTracing.noop();
    private Clock clock = Clock.systemUTC();
    private Duration defaultTimeout = DEFAULT_TIMEOUT;
    private JobIndex index;
    private Duration createPatience = DEFAULT_CREATE_PATIENCE;
    private JobSigner signer;

    private Builder(Broker broker, OperationRegistry operations) {
      this.broker = Objects.requireNonNull(broker, "broker");
      this.operations = Objects.requireNonNull(operations, "operations");
    }

    /** Where {@code jobCreated} is reported. */
    public Builder metrics(JobMetrics metrics) {
      this.metrics = Objects.requireNonNull(metrics, "metrics");
      return this;
    }

    /** Where the {@code job.create} spans go (default {@link JobTracing#noop()}). */
    public Builder tracing(JobTracing tracing) {
      this.tracing = Objects.requireNonNull(tracing, "tracing");
      return this;
    }

    /** The time source. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * How long the expected workers of a broadcast job have to answer when the request does not
     * say ({@link #MIN_TIMEOUT} to {@link #MAX_TIMEOUT}).
     */
    public Builder defaultTimeout(Duration defaultTimeout) {
      this.defaultTimeout = Objects.requireNonNull(defaultTimeout, "defaultTimeout");
      return this;
    }

    /**
     * The index of the store that {@link #list} and {@link #stats} read (its owner starts and
     * closes it); without one, the client makes one watching the store on first use.
     */
    public Builder index(JobIndex index) {
      this.index = Objects.requireNonNull(index, "index");
      return this;
    }

    /**
     * How long a create (and a retry's create) is held while the store or queue is unavailable,
     * retried with {@link Backoff#CREATE}; zero to fail at once.
     */
    public Builder createPatience(Duration createPatience) {
      this.createPatience = Objects.requireNonNull(createPatience, "createPatience");
      return this;
    }

    /**
     * The key privileged jobs are signed with (workers run a privileged job only with a valid
     * signature). Without one, creating a privileged job is refused.
     */
    public Builder signer(JobSigner signer) {
      this.signer = Objects.requireNonNull(signer, "signer");
      return this;
    }

    /** The job client. */
    public JobClient build() {
      return new JobClient(this);
    }
  }

  /**
   * Validates, stores and publishes a new job, and waits for both, holding the create while the
   * store or queue is unavailable for up to the create patience.
   *
   * @return the stored job, status submitted
   * @throws InvalidInputException for bad input (nothing stored)
   * @throws BackendUnavailableException when the store or queue stayed unreachable for the
   *     create patience (nothing kept, or the job kept as failed "not submitted")
   */
  public JobView create(CreateJobRequest request) {
    Objects.requireNonNull(request, "request");
    requireOpen();
    return submitter.create(request);
  }

  /**
   * Validates a new job at once, then stores and publishes it without waiting: the record is
   * created, and once stored the notification is published, each held like {@link #create}'s.
   * Callers pipeline many jobs this way.
   *
   * @return completes with the stored job (status submitted) once its notification is out, or
   *     exceptionally with {@link BackendUnavailableException} (then nothing is kept, or the job
   *     is kept as failed "not submitted")
   * @throws InvalidInputException for bad input, before anything is stored
   */
  public CompletableFuture<JobView> createAsync(CreateJobRequest request) {
    return createAsync(request, null);
  }

  /**
   * As {@link #createAsync(CreateJobRequest)}, with the job's {@code job.create} span a child of
   * {@code parent} (the API request's span; null starts a trace when tracing is on).
   */
  public CompletableFuture<JobView> createAsync(CreateJobRequest request, TraceContext parent) {
    Objects.requireNonNull(request, "request");
    return submitter.createAsync(request, parent);
  }

  /** As {@link #create(CreateJobRequest)}, traced under {@code parent} (see {@link #createAsync(CreateJobRequest, TraceContext)}). */
  public JobView create(CreateJobRequest request, TraceContext parent) {
    Objects.requireNonNull(request, "request");
    requireOpen();
    return submitter.held(submitter.createAsync(request, parent));
  }

  /**
   * Creates the job of one tick of a schedule, with an id fixed beforehand: a record stored under
   * {@code id} already is this job's (an earlier create of the same tick, by this or another
   * controller) and the create goes on with it, so creating it twice stores and runs it once.
   * Held and validated like {@link #create}.
   *
   * @param request the schedule's job
   * @param id the tick's job id, fixed when the tick was claimed
   * @param schedule the schedule's name, shown in the job's first timeline entry
   * @param tick the tick
   * @return the stored job, status submitted
   * @throws InvalidInputException for bad input (nothing stored)
   * @throws BackendUnavailableException when the store or queue stayed unreachable
   */
  public JobView createScheduled(CreateJobRequest request, JobId id, String schedule,
      java.time.Instant tick) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(id, "id");
    requireOpen();
    return submitter.held(submitter.createAsync(request, id, new io.osapi.core.domain.TimelineEntry(
        tick, "submitted", SCHEDULE_ACTOR, "queued by schedule " + schedule + " for its tick "
            + tick, null)));
  }

  /** The create path, for {@link IdempotentCreates} (which creates under reserved ids). */
  JobSubmitter submitter() {
    return submitter;
  }

  /** Who writes the first timeline entry of a job a schedule created. */
  public static final String SCHEDULE_ACTOR = "_schedule";

  /**
   * The job with its computed status, or empty when unknown. The record and the run an {@code
   * _any} job would have are read at the same time (most jobs are {@code _any}: one round trip
   * instead of two); a broadcast job's runs are read once the record names them.
   */
  public Optional<JobView> get(JobId id) {
    return reader.get(id);
  }

  /** Lists jobs newest first, as {@link #list(JobStatus, int, int, JobId)} with no cursor. */
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
    return search(JobFilter.status(status), limit, offset, after);
  }

  /**
   * Lists the jobs {@code filter} keeps, newest first, from the index alone, as {@link
   * #list(JobStatus, int, int, JobId)}; a filter on more than the status costs one pass over the
   * index (no store read).
   */
  public JobPage search(JobFilter filter, int limit, int offset, JobId after) {
    Objects.requireNonNull(filter, "filter");
    return listings.search(filter, limit, offset, after);
  }

  /**
   * Counts jobs by status, from the index (counters, no reads).
   *
   * @throws BackendUnavailableException while the index is still reading the store at start
   */
  public JobStats stats() {
    return listings.stats();
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
    return retrier.retry(id, target);
  }

  /**
   * Cancels a job that has not ended: the request is stored in its record by compare-and-set, then
   * every run not ended yet is ended {@code cancelled} (runs that finished keep their result; see
   * {@link JobCanceller}), counted in {@code osapi_jobs_cancelled_total} once per job.
   *
   * @param by who asked (the caller's subject), for the timeline
   * @throws io.osapi.core.domain.BackendUnavailableException when the store cannot be reached
   *     (a request stored half way is finished by the next one)
   */
  public CancelOutcome cancel(JobId id, String by) {
    return canceller.cancel(Objects.requireNonNull(id, "id"), Objects.requireNonNull(by, "by"));
  }

  /** The workers in the heartbeat registry. */
  public List<WorkerInfo> workers() {
    return workers.workers();
  }

  /**
   * A page of the workers in the heartbeat registry, by id.
   *
   * @param limit 1 to {@value WorkerPage#MAX_LIMIT}
   * @param after only workers whose id sorts after this one (the {@code next} of the previous
   *     page), or null from the first
   * @throws io.osapi.core.domain.InvalidInputException for a bad limit or cursor
   */
  public WorkerPage workers(int limit, String after) {
    return workers.workers(limit, after);
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
    return workers.drain(workerId);
  }

  /** Withdraws a registered worker's drain request: it is ready and takes jobs again. */
  public DrainOutcome undrain(String workerId) {
    return workers.undrain(workerId);
  }

  /**
   * The job once it has ended (completed, failed, partial failure or cancelled), for embedders that wait
   * for a job: completed by the client's index when it sees the job's last run end, then read
   * whole, with no polling. Every call gets a future of its own.
   *
   * @return completes with the ended job; exceptionally with {@link NoSuchElementException} when
   *     the job is not known or deleted, {@link IllegalStateException} when the client closes first
   */
  public CompletableFuture<JobView> whenDone(JobId id) {
    Objects.requireNonNull(id, "id");
    return listings.whenDone(id);
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the job client is closed");
    }
  }

  /**
   * Closes what this client made: its index (unless one was given), the threads that hold creates
   * and read details. The broker stays open (its owner closes it). Creates still held fail with
   * {@link BackendUnavailableException}; futures of {@link #whenDone} fail; the client's methods
   * throw {@link IllegalStateException} from then on. Idempotent.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    listings.close();
    submitter.close();
    reader.close();
  }

  /** Workers' keys: accept and reject them, see their states. */
  public WorkerKeys keys() {
    return workers.keys();
  }

  /** The operations jobs may use. */
  public OperationRegistry operations() {
    return operations;
  }
}
