package io.osapi.app.api;

import io.osapi.app.auth.AuthFailure;
import io.osapi.app.auth.Caller;
import io.osapi.app.auth.Permission;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.port.AccessMetrics;
import io.osapi.core.service.CreateJobRequest;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The edge's steps for each item of a batch ({@code POST /api/v1/jobs/batch}), handed to the
 * handler by {@link EdgeAccess#admit} with the request: an item needs what a single create of it
 * needs ({@link Permission#JOBS_CREATE_PRIVILEGED} for a privileged operation, checked on the
 * type the handler parsed, with the same lookup as a single create), and has its own audit record,
 * stored before the job is created and completed with the item's outcome.
 */
final class BatchItems {
  private final Caller caller;
  private final AuditTrail trail;
  private final AccessMetrics metrics;
  private final Predicate<String> privilegedType;
  private final Clock clock;
  private final String source;
  private final String requestId;
  private final long startNanos;

  BatchItems(Caller caller, AuditTrail trail, AccessMetrics metrics,
      Predicate<String> privilegedType, Clock clock, String source, String requestId,
      long startNanos) {
    this.caller = Objects.requireNonNull(caller, "caller");
    this.trail = Objects.requireNonNull(trail, "trail");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.privilegedType = Objects.requireNonNull(privilegedType, "privilegedType");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.source = Objects.requireNonNull(source, "source");
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.startNanos = startNanos;
  }

  /**
   * Why the caller may not create this item, or empty when it may (then it still needs its
   * record, {@link #begin}).
   */
  Optional<ApiException> refusal(CreateJobRequest item) {
    if (privilegedType.test(item.type()) && !caller.has(Permission.JOBS_CREATE_PRIVILEGED)) {
      metrics.authFailure(AuthFailure.FORBIDDEN.label());
      Permission p = Permission.JOBS_CREATE_PRIVILEGED;
      return Optional.of(new ApiException(403, "permission " + p.token()
          + " is required to create a job of operation " + JobsApi.abbreviate(item.type()),
          Map.of("permission", p.token()), Map.of()));
    }
    return Optional.empty();
  }

  /** The pending record of item {@code index} (0-based, in the order sent). */
  AuditRecord record(int index, CreateJobRequest item) {
    return new AuditRecord(AuditTrail.newId(), clock.instant().truncatedTo(ChronoUnit.MILLIS), caller.subject(),
        caller.roles(), source, "POST", ApiRoute.BATCH.template(),
        Map.of("item", Integer.toString(index)), clip(item.type()), clip(item.target()), null,
        null, requestId, null, item.data());
  }

  /** Stores pending records, pipelined; per record whether it is stored. */
  boolean[] begin(List<AuditRecord> pending) {
    return trail.beginAll(pending);
  }

  /**
   * The final record of an item: its status, the request's duration so far and, for a created
   * item, the job's id.
   */
  AuditRecord outcome(AuditRecord pending, int status, String jobId) {
    AuditRecord done = pending.completed(status, (System.nanoTime() - startNanos) / 1_000_000L);
    if (jobId == null) {
      return done;
    }
    Map<String, String> ids = new HashMap<>(done.ids());
    ids.put("job", jobId);
    return new AuditRecord(done.id(), done.time(), done.subject(), done.roles(), done.source(),
        done.method(), done.route(), ids, done.operation(), done.target(), done.status(),
        done.durationMs(), done.requestId(), done.traceId(), done.data());
  }

  /** Stores final records, pipelined (one that misses is tried again in the background). */
  void finish(List<AuditRecord> done) {
    trail.finishAll(done);
  }

  private static String clip(String s) {
    return s == null || s.length() <= 256 ? s : s.substring(0, 256) + "...";
  }
}
