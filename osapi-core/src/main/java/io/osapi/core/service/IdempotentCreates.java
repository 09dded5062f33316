package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.domain.Versioned;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.port.IdempotencyKeys;
import io.osapi.core.domain.IdempotencyRecord;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Job creates with an idempotency key (the IETF httpapi draft's semantics): the first request
 * with a key creates the job, a repeat with the same key and the same request within the keys'
 * window is answered what the first was, a repeat with another request is refused ({@link
 * Outcome.Mismatch}). Keys are per caller: the same key sent by two callers is two keys.
 *
 * <p>The order makes a create neither lost nor doubled, across controllers and crashes: the key
 * is reserved first (create-if-absent: the first writer wins) with the request's hash and the job
 * id fixed for it, then the job is created under that id, then the answer is stored on the
 * reservation (compare-and-set). A repeat that finds a reservation without an answer (the first
 * create is under way, or its controller stopped) creates the job under the reserved id too: a
 * record stored under it already is this job, so it is stored and run once, and the repeat waits
 * for the create like the first does, then answers the same job. A create refused for good (bad
 * input, a full store) releases its key; one that failed because the backend was unavailable
 * keeps the reservation, so the caller's retry completes the same job.
 *
 * <p>It creates through the job client's own create path (the same validation, hold, signer,
 * tracing and metrics), under the reserved id, and holds the keys' reads and writes through an
 * outage for the client's create patience unless given another.
 */
public final class IdempotentCreates {
  private static final System.Logger LOG = System.getLogger(IdempotentCreates.class.getName());

  /** The status of a created job's answer. */
  public static final int CREATED = 201;

  /** What a create with a key is answered. */
  public sealed interface Outcome {
    /**
     * The job's answer: this request's create ({@code replayed} false) or the first request's
     * ({@code replayed} true).
     *
     * @param status the HTTP status
     * @param body the body, as rendered for the first request
     * @param jobId the job
     * @param replayed whether it is the answer of an earlier request
     */
    record Answer(int status, String body, JobId jobId, boolean replayed) implements Outcome {}

    /**
     * The key was used with another request (422): nothing created.
     *
     * @param jobId the job of the key's first request
     */
    record Mismatch(JobId jobId) implements Outcome {}
  }

  private final IdempotencyKeys keys;
  private final JobSubmitter submitter;
  private final Clock clock;
  private final Duration patience;

  private IdempotentCreates(Builder b) {
    this.keys = b.keys;
    this.submitter = b.client.submitter();
    this.clock = submitter.clock();
    this.patience = b.keysPatience == null ? submitter.patience() : b.keysPatience;
  }

  /**
   * A builder of the creates of {@code client} (its create path, clock and create patience) with
   * keys kept in {@code keys}.
   */
  public static Builder builder(JobClient client, IdempotencyKeys keys) {
    return new Builder(client, keys);
  }

  /** The keys' window. */
  public Duration window() {
    return keys.window();
  }

  /**
   * Creates the job of {@code request} once per {@code key} of {@code subject}.
   *
   * @param key the caller's key
   * @param subject who calls (keys of different callers are apart)
   * @param request the create
   * @param parent the request's span, or null
   * @param render the answer's body of a created job (stored: repeats get it as it was)
   * @return the answer, or a mismatch
   * @throws io.osapi.core.domain.InvalidInputException for bad input (the key is released)
   * @throws BackendUnavailableException when the keys, store or queue stayed unreachable for the
   *     create patience (a reservation is kept: a retry with the key completes the same job)
   */
  public Outcome create(IdempotencyKey key, String subject, CreateJobRequest request,
      TraceContext parent, Function<JobView, String> render) {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(render, "render");
    String name = key.storeKey(subject);
    String hash = requestHash(request);
    for (int attempt = 0; ; attempt++) {
      IdempotencyRecord mine =
          IdempotencyRecord.reservation(hash, JobId.generate(clock), clock.instant());
      try {
        long rev = held(() -> keys.create(name, mine));
        return complete(name, new Versioned<>(mine, rev), request, parent, render, false);
      } catch (RevisionConflictException taken) {
        Optional<Versioned<IdempotencyRecord>> there = held(() -> keys.get(name));
        if (there.isEmpty()) {
          if (attempt < 3) {
            continue; // released or expired meanwhile: take it again
          }
          throw new BackendUnavailableException("idempotency key kept changing", taken);
        }
        IdempotencyRecord r = there.get().value();
        if (!r.requestHash().equals(hash)) {
          return new Outcome.Mismatch(r.jobId());
        }
        if (r.isAnswered()) {
          return new Outcome.Answer(r.status(), r.answer(), r.jobId(), true);
        }
        return complete(name, there.get(), request, parent, render, true);
      }
    }
  }

  /** {@link IdempotencyRecord#hash} of {@code r} (a rollout's settings hashed with its target). */
  public static String requestHash(CreateJobRequest r) {
    String target = r.rollout() == null ? r.target() : r.target() + " rollout "
        + r.rollout().batchText() + " " + r.rollout().pause().toMillis() + " "
        + r.rollout().maxFailures();
    return IdempotencyRecord.hash(r.type(), r.data(), target, r.timeout());
  }

  /** Creates the reserved job under its id, then stores the answer on the reservation. */
  private Outcome complete(String name, Versioned<IdempotencyRecord> reservation,
      CreateJobRequest request, TraceContext parent, Function<JobView, String> render,
      boolean replayed) {
    IdempotencyRecord r = reservation.value();
    JobView view;
    try {
      view = submitter.held(submitter.createAsync(request, r.jobId(), new TimelineEntry(
          r.reserved(), "submitted", "_api", "queued", null), parent));
    } catch (BackendUnavailableException e) {
      throw e; // the reservation stays: a retry completes the same job
    } catch (RuntimeException e) {
      release(name, reservation.revision());
      throw e;
    }
    String body = render.apply(view);
    try {
      held(() -> keys.update(name, r.answered(CREATED, body), reservation.revision()));
      return new Outcome.Answer(CREATED, body, r.jobId(), replayed);
    } catch (RevisionConflictException stored) {
      // another request with the key completed it first: answer what it stored
      Optional<Versioned<IdempotencyRecord>> now = keys.get(name);
      if (now.isPresent() && now.get().value().isAnswered()
          && now.get().value().jobId().equals(r.jobId())) {
        IdempotencyRecord a = now.get().value();
        return new Outcome.Answer(a.status(), a.answer(), a.jobId(), replayed);
      }
      return new Outcome.Answer(CREATED, body, r.jobId(), replayed);
    }
  }

  /**
   * {@code op}, tried again after a {@link Backoff#CREATE} delay while the keys are unavailable,
   * for at most the create patience (as the create itself is held through a fail-over).
   */
  private <T> T held(java.util.function.Supplier<T> op) {
    long deadline = System.nanoTime() + patience.toNanos();
    for (int failures = 1; ; failures++) {
      try {
        return op.get();
      } catch (BackendUnavailableException e) {
        long delay = Backoff.CREATE.delayMillis(failures);
        if (System.nanoTime() + delay * 1_000_000L > deadline) {
          throw e;
        }
        try {
          Thread.sleep(delay);
        } catch (InterruptedException i) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  private void release(String name, long revision) {
    try {
      keys.release(name, revision);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "an idempotency key of a refused create stays reserved until its"
          + " window ends: {0}", e.getMessage());
    }
  }

  /** Builds {@link IdempotentCreates}. */
  public static final class Builder {
    private final JobClient client;
    private final IdempotencyKeys keys;
    private Duration keysPatience;

    private Builder(JobClient client, IdempotencyKeys keys) {
      this.client = Objects.requireNonNull(client, "client");
      this.keys = Objects.requireNonNull(keys, "keys");
    }

    /**
     * How long the keys' reads and writes are held while the keys are unavailable, retried with
     * {@link Backoff#CREATE}; zero to fail at once. Default: the client's create patience.
     */
    public Builder createPatience(Duration createPatience) {
      this.keysPatience = Objects.requireNonNull(createPatience, "createPatience");
      return this;
    }

    /** The creates. */
    public IdempotentCreates build() {
      return new IdempotentCreates(this);
    }
  }
}
