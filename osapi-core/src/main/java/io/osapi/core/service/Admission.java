package io.osapi.core.service;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.RefusalReason;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobMetrics;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * What a worker checks before it claims a job, and how it refuses one: a privileged job's
 * signature first ({@link JobVerifier}), then the worker's allow-list ({@link
 * WorkerConfig#allowed()}). A refused job is never run: its run is created failed, with the reason,
 * dead-lettered, by compare-and-set (a run that exists already is left as it is), and the delivery
 * is terminated, so it is not retried; counted in {@link JobMetrics#jobRefused} (and, once its
 * failure is stored, {@link JobMetrics#jobDeadLettered}). When the store does not answer, the
 * delivery is handed back and decided again on the next one.
 */
final class Admission {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());

  /** Why a job is refused: the reason's kind and the run's error. */
  record Refusal(RefusalReason reason, String message) {}

  private final WorkerConfig config;
  private final OperationRegistry operations;
  private final JobVerifier verifier;
  private final RunWriter runs;
  private final JobMetrics metrics;
  private final Clock clock;

  /** @param verifier the controllers' public keys, or null (then no privileged job passes) */
  Admission(WorkerConfig config, OperationRegistry operations, JobVerifier verifier,
      RunWriter runs, JobMetrics metrics, Clock clock) {
    this.config = config;
    this.operations = operations;
    this.verifier = verifier;
    this.runs = runs;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** Why {@code job} must not run on this worker, or null when it may (or is unknown here). */
  Refusal check(Job job) {
    String type = job.operation().type();
    Optional<OperationDefinition> def = operations.find(type);
    if (def.isEmpty()) {
      return null; // failed as unknown when it is run
    }
    String worker = config.workerId();
    if (def.get().privileged()) {
      Optional<String> why = verifier == null
          ? Optional.of("this worker holds no key to verify job signatures with"
              + " (--job-verify-key-file)")
          : verifier.refusal(job, worker, config.labels(), clock.instant());
      if (why.isPresent()) {
        return new Refusal(RefusalReason.BAD_SIGNATURE, "privileged operation " + type
            + " refused by worker " + worker + ": " + why.get());
      }
    }
    if (!config.allowed().allows(def.get())) {
      return new Refusal(RefusalReason.NOT_ALLOWED,
          "operation " + type + " is not allowed on worker " + worker);
    }
    return null;
  }

  /**
   * Fails {@code job}'s run once with {@code r} and settles {@code d} without running anything;
   * calls {@code done} once settled (from the store's completion thread).
   */
  void refuse(Delivery d, Job job, Refusal r, Runnable done) {
    String op = job.operation().type();
    RunKey key = RunKey.forWorker(job, config.workerId());
    Instant now = clock.instant();
    LOG.log(Level.WARNING, "job {0} refused: {1}", job.id(), r.message());
    CompletableFuture<Long> f;
    try {
      Run failed = runs.signed(key, Run.claim(null, config.workerId(), d.deliveryCount(), now)
          .finish(RunState.FAILED, null, r.message(), true, now));
      f = runs.store().putRun(key, failed, 0);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((rev, err) -> {
      try {
        Throwable cause = err == null ? null : Futures.unwrap(err);
        if (cause != null && !(cause instanceof RevisionConflictException)) {
          LOG.log(Level.WARNING, "job {0}: its refusal could not be stored ({1}); handing it back",
              job.id(), cause.getMessage());
          d.nak(config.retryDelay());
          return;
        }
        // stored; or the run exists already (ended, or held by another delivery): left as it is
        d.term();
        metrics.jobRefused(op, r.reason());
        if (cause == null) {
          metrics.jobDeadLettered(op);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "settling refused job {0} failed: {1}", job.id(), e.toString());
      } finally {
        done.run();
      }
    });
  }
}
