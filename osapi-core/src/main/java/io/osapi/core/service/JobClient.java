package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.JobHistory;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The job client: creates, reads, lists, retries and deletes jobs.
 *
 * <p>Input is validated before anything is stored: an unknown operation type, data that is not
 * JSON, a malformed target, or a host or label target that no registered worker matches is refused
 * with {@link InvalidInputException}, and then nothing is stored and no metric moves. A store or
 * queue that cannot be reached surfaces as {@link BackendUnavailableException}; a job whose
 * notification could not be published is removed again, so nothing half-made stays behind.
 */
public final class JobClient {
  /** Largest page {@link #list} returns. */
  public static final int MAX_PAGE = 100;

  /** Largest operation data accepted, in characters. */
  public static final int MAX_DATA_CHARS = 64 * 1024;

  private static final System.Logger LOG = System.getLogger(JobClient.class.getName());

  private final JobStore store;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final OperationRegistry operations;
  private final JobMetrics metrics;
  private final Clock clock;
  private final boolean requireKnownTargets;

  /**
   * @param store where jobs live
   * @param queue where notifications go
   * @param registry live workers, used to check host and label targets
   * @param operations the known operations
   * @param metrics where {@code jobCreated} is reported
   * @param clock the time source
   * @param requireKnownTargets refuse host and label targets that no registered worker matches
   */
  public JobClient(
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      OperationRegistry operations,
      JobMetrics metrics,
      Clock clock,
      boolean requireKnownTargets) {
    this.store = Objects.requireNonNull(store, "store");
    this.queue = Objects.requireNonNull(queue, "queue");
    this.registry = Objects.requireNonNull(registry, "registry");
    this.operations = Objects.requireNonNull(operations, "operations");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.requireKnownTargets = requireKnownTargets;
  }

  /**
   * Validates, stores and publishes a new job.
   *
   * @return the stored job, status submitted
   * @throws InvalidInputException for bad input (nothing stored)
   * @throws BackendUnavailableException when the store or queue is unreachable (nothing kept)
   */
  public JobView create(CreateJobRequest request) {
    Objects.requireNonNull(request, "request");
    OperationDefinition def = operations.require(request.type());
    if (request.data() != null && request.data().length() > MAX_DATA_CHARS) {
      throw new InvalidInputException(
          "operation.data", "operation.data is larger than " + MAX_DATA_CHARS + " characters");
    }
    Operation op = new Operation(def.type(), request.data());
    Target target = Target.parse(request.target());
    checkTargetReachable(target);
    Job job = new Job(JobId.generate(clock), op, def.kind(), target, clock.instant());
    return submit(job);
  }

  private JobView submit(Job job) {
    store.create(job);
    StatusEvent submitted =
        new StatusEvent(
            job.id(),
            EventType.SUBMITTED,
            StatusEvent.API,
            job.created(),
            Map.of("target", job.target().text(), "operation", job.operation().type()));
    // the record is stored before the notification goes out; the submitted event may travel
    // beside the notification, so both are in flight together
    CompletableFuture<Void> event = store.appendEvent(submitted);
    try {
      queue.publish(job);
    } catch (RuntimeException e) {
      try {
        store.delete(job.id());
      } catch (RuntimeException cleanup) {
        e.addSuppressed(cleanup);
        LOG.log(System.Logger.Level.WARNING, "could not remove unpublished job " + job.id(), cleanup);
      }
      throw e;
    }
    try {
      await(event);
    } catch (RuntimeException e) {
      // The job is stored and its notification is out: it will run, so it is created. The
      // submitted event only records that; write it once more (same key: stored once), else go
      // on without it (a job with no events reads as submitted).
      try {
        await(store.appendEvent(submitted));
      } catch (RuntimeException again) {
        LOG.log(System.Logger.Level.WARNING, "job {0} is queued but its submitted event could not"
            + " be written: {1}", job.id(), again.getMessage());
      }
    }
    metrics.jobCreated(job.operation().type());
    return JobView.of(job, List.of(submitted), List.of());
  }

  /** The job with its computed status, or empty when unknown. */
  public Optional<JobView> get(JobId id) {
    return store.find(id).map(job -> {
      JobHistory h = store.history(id);
      return JobView.of(job, h.events(), h.results());
    });
  }

  /**
   * Lists jobs newest first.
   *
   * @param status only jobs with this status, or null for all
   * @param limit 1 to {@value #MAX_PAGE}
   * @param offset 0 or more
   * @throws InvalidInputException for paging out of range
   */
  public JobPage list(JobStatus status, int limit, int offset) {
    if (limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInputException("limit", "limit must be between 1 and " + MAX_PAGE);
    }
    if (offset < 0) {
      throw new InvalidInputException("offset", "offset must not be negative");
    }
    Map<JobId, List<EventKey>> index = store.index();
    List<JobId> matching = new ArrayList<>();
    for (Map.Entry<JobId, List<EventKey>> e : index.entrySet()) {
      if (status == null || statusOf(e.getKey(), e.getValue()) == status) {
        matching.add(e.getKey());
      }
    }
    List<JobView> items = new ArrayList<>();
    for (int i = offset; i < matching.size() && items.size() < limit; i++) {
      get(matching.get(i)).ifPresent(items::add);
    }
    return new JobPage(items, matching.size());
  }

  /** Counts jobs by status, from event keys alone. */
  public JobStats stats() {
    Map<JobId, List<EventKey>> index = store.index();
    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    for (Map.Entry<JobId, List<EventKey>> e : index.entrySet()) {
      counts.merge(statusOf(e.getKey(), e.getValue()), 1L, Long::sum);
    }
    return new JobStats(index.size(), counts);
  }

  /**
   * Deletes a job with its events and results.
   *
   * @return false when there was no such job
   */
  public boolean delete(JobId id) {
    return store.delete(id);
  }

  /**
   * Creates a new job with the same operation, to the given target or the original one, and
   * records {@code retried} on the original.
   *
   * @return the new job, or empty when {@code id} is unknown
   */
  public Optional<JobView> retry(JobId id, String target) {
    Optional<Job> original = store.find(id);
    if (original.isEmpty()) {
      return Optional.empty();
    }
    Job old = original.get();
    OperationDefinition def = operations.require(old.operation().type());
    Target t = target == null || target.isBlank() ? old.target() : Target.parse(target);
    checkTargetReachable(t);
    Job job = new Job(JobId.generate(clock), old.operation(), def.kind(), t, clock.instant());
    JobView created = submit(job);
    await(
        store.appendEvent(
            new StatusEvent(
                id,
                EventType.RETRIED,
                StatusEvent.API,
                clock.instant(),
                Map.of("new_job_id", job.id().value(), "target", t.text()))));
    return Optional.of(created);
  }

  /**
   * A job's status from its event keys. Only when a worker finished it while another still looks
   * busy (a worker killed mid-job writes nothing more) is the record read, to learn whether it is
   * a one-worker ({@code _any}) job, for which the finished worker decides.
   */
  private JobStatus statusOf(JobId id, List<EventKey> keys) {
    JobStatus status = JobView.statusOf(keys);
    if (status == JobStatus.PROCESSING && keys.stream().anyMatch(k -> k.type().terminal())) {
      boolean oneWorker;
      try {
        oneWorker = store.find(id).map(j -> j.target() instanceof Target.Any).orElse(false);
      } catch (RuntimeException e) {
        oneWorker = false;
      }
      if (oneWorker) {
        return JobView.statusOf(keys, true);
      }
    }
    return status;
  }

  /** The workers in the heartbeat registry. */
  public List<WorkerInfo> workers() {
    return registry.workers();
  }

  /** The operations jobs may use. */
  public OperationRegistry operations() {
    return operations;
  }

  private void checkTargetReachable(Target target) {
    if (!requireKnownTargets) {
      return;
    }
    if (target instanceof Target.Host h) {
      boolean known = registry.workers().stream().anyMatch(w -> w.id().equals(h.workerId()));
      if (!known) {
        throw new InvalidInputException(
            "target", "no registered worker has id '" + h.workerId() + "'");
      }
    } else if (target instanceof Target.Label l) {
      boolean known =
          registry.workers().stream().anyMatch(w -> l.matches(w.labels().get(l.key())));
      if (!known) {
        throw new InvalidInputException(
            "target", "no registered worker has a label matching '" + l.text() + "'");
      }
    }
  }

  static void await(CompletableFuture<Void> f) {
    try {
      f.get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new BackendUnavailableException("interrupted while writing", e);
    } catch (ExecutionException | CompletionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      throw new BackendUnavailableException("write failed: " + c.getMessage(), c);
    } catch (TimeoutException e) {
      throw new BackendUnavailableException("write timed out", e);
    }
  }
}
