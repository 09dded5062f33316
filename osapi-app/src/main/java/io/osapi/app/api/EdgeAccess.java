package io.osapi.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.app.auth.AuthFailure;
import io.osapi.app.auth.Authentication;
import io.osapi.app.auth.Authenticator;
import io.osapi.app.auth.Caller;
import io.osapi.app.auth.Permission;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.port.AccessMetrics;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Who may do what, and the record of it: the edge's identity, permission and audit steps, run by
 * {@link ApiGuard} for every request in one place.
 *
 * <ol>
 *   <li>{@link #authenticate}: the credential, else 401 ({@code missing}, {@code invalid}, {@code
 *       expired}; the reason is logged, at most once a second, never the credential);
 *   <li>{@link #admit}, once the body is read: the permissions {@link ApiAccess} requires, else 403
 *       naming the missing one (recorded in the audit trail); then, for a request that changes
 *       something (or any request with {@code --audit-reads}), the pending audit record, else 503
 *       with {@code Retry-After}: the request does not run without its record.
 * </ol>
 */
public final class EdgeAccess {
  private static final System.Logger LOG = System.getLogger(EdgeAccess.class.getName());
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final int MAX_FIELD = 256;

  private final Authenticator authenticator;
  private final AccessMetrics metrics;
  private final AuditTrail trail;
  private final Predicate<String> privilegedType;
  private final Function<String, Optional<String>> jobOperation;
  private final Clock clock;
  private final StoreLimitHints hints;
  private final AtomicLong lastRefusalLog = new AtomicLong();
  private final AtomicLong unloggedRefusals = new AtomicLong();

  /**
   * @param authenticator establishes the caller
   * @param metrics refusals and audit counts
   * @param trail the audit trail
   * @param privilegedType whether an operation type is privileged
   * @param jobOperation the operation type of a job, by the raw id in a path (empty when unknown)
   * @param clock the time of records
   * @param hints the settings a 507 names
   */
  EdgeAccess(Authenticator authenticator, AccessMetrics metrics, AuditTrail trail,
      Predicate<String> privilegedType, Function<String, Optional<String>> jobOperation,
      Clock clock, StoreLimitHints hints) {
    this.hints = Objects.requireNonNull(hints, "hints");
    this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.trail = Objects.requireNonNull(trail, "trail");
    this.privilegedType = Objects.requireNonNull(privilegedType, "privilegedType");
    this.jobOperation = Objects.requireNonNull(jobOperation, "jobOperation");
    this.clock = Objects.requireNonNull(clock, "clock");
    lastRefusalLog.set(System.nanoTime() - 2_000_000_000L);
  }

  /**
   * The edge of a controller's API.
   *
   * @param authenticator establishes the caller
   * @param metrics refusals and audit counts
   * @param trail the audit trail
   * @param client where a retried job's operation is looked up
   * @param operations which operation types are privileged
   * @param clock the time of records
   * @param hints the settings a 507 names
   */
  public static EdgeAccess of(Authenticator authenticator, AccessMetrics metrics,
      AuditTrail trail, JobClient client, OperationRegistry operations, Clock clock,
      StoreLimitHints hints) {
    return new EdgeAccess(authenticator, metrics, trail,
        type -> operations.find(type).map(OperationDefinition::privileged).orElse(false),
        raw -> client.get(JobId.parse(decode(raw))).map(v -> v.job().operation().type()),
        clock, hints);
  }

  /**
   * The caller of a request, or null once a 401 has been answered.
   */
  Caller authenticate(HttpExchange ex) throws IOException {
    Authentication a;
    try {
      a = authenticator.authenticate(ex.getRequestHeaders().getFirst("Authorization"));
    } catch (RuntimeException e) { // an authenticator must not throw; fail closed if it does
      LOG.log(Level.ERROR, "the authenticator failed", e);
      a = new Authentication.Refused(AuthFailure.INVALID, "the authenticator failed");
    }
    if (a instanceof Authentication.Verified v) {
      return v.caller();
    }
    Authentication.Refused r = (Authentication.Refused) a;
    metrics.authFailure(r.reason().label());
    logRefusal(ex, r.reason().label() + ": " + r.detail());
    ApiGuard.refuse(ex, 401, r.reason() == AuthFailure.MISSING
            ? "a bearer token is required" : "the bearer token is not valid",
        Map.of("reason", r.reason().label()),
        Map.of("WWW-Authenticate", "Bearer realm=\"osapi\""));
    return null;
  }

  /**
   * Checks the permissions and stores the pending audit record of a request whose body is read.
   *
   * @param body the whole body of a create or retry (else ignored; null when not read)
   * @return the exchange the handler gets, or null once the request has been answered (403, 503)
   */
  HttpExchange admit(HttpExchange ex, Caller caller, byte[] body, long startNanos)
      throws IOException {
    Optional<ApiRoute.Match> match = ApiRoute.match(ex.getRequestURI().getRawPath());
    String method = ex.getRequestMethod().equals("HEAD") ? "GET" : ex.getRequestMethod();
    if (match.isEmpty()) {
      return new CallerExchange(ex, caller, null, null, startNanos);
    }
    ApiRoute.Match m = match.get();
    Facts facts = facts(m, method, body);
    boolean privileged = facts.unknownJob()
        || facts.operation() != null && privilegedType.test(facts.operation());
    List<Permission> needed = ApiAccess.required(m.route(), method, privileged);
    boolean audited = ApiAccess.changes(m.route(), method) || trail.auditsReads();
    String requestId = requestId(ex);
    ex.getResponseHeaders().set("X-Request-Id", requestId);
    for (Permission p : needed) {
      if (!caller.has(p)) {
        metrics.authFailure(AuthFailure.FORBIDDEN.label());
        logRefusal(ex, "forbidden: " + caller.subject() + " lacks " + p.token() + " for "
            + method + " " + m.route().template());
        if (audited) {
          long ms = (System.nanoTime() - startNanos) / 1_000_000L;
          trail.refused(record(ex, caller, m, method, facts, requestId).completed(403, ms));
        }
        ApiGuard.refuse(ex, 403, "permission " + p.token() + " is required to " + method + " "
            + m.route().template(), Map.of("permission", p.token()), Map.of());
        return null;
      }
    }
    if (!audited) {
      return new CallerExchange(ex, caller, null, null, startNanos, null, facts.body(), null);
    }
    AuditRecord pending = record(ex, caller, m, method, facts, requestId);
    if (m.route() == ApiRoute.JOBS && facts.body() != null && facts.body().refusal() == null) {
      // a create: its record is appended now and the handler creates once it is stored, waiting
      // once for both (CallerExchange#afterRecord); nothing is created when it cannot be stored
      return new CallerExchange(ex, caller, trail, pending, startNanos, null, facts.body(),
          trail.beginAsync(pending));
    }
    boolean begun;
    try {
      begun = trail.begin(pending);
    } catch (StoreFullException e) {
      ApiException full = hints.answer(e);
      ApiGuard.refuse(ex, full.status(), full.getMessage(), full.details(), full.headers());
      return null;
    }
    if (!begun) {
      if (facts.badBody()) {
        // the handler refuses this body (400) with the very parse the edge ran: nothing can
        // change, so the caller learns what is wrong with it rather than to try again
        return new CallerExchange(ex, caller, null, null, startNanos, null, facts.body(), null);
      }
      ApiException unrecorded = new AuditTrail.Unrecorded().answer();
      ApiGuard.refuse(ex, unrecorded.status(), unrecorded.getMessage(), unrecorded.details(),
          unrecorded.headers());
      return null;
    }
    BatchItems items = m.route() == ApiRoute.BATCH ? new BatchItems(caller, trail, metrics,
        privilegedType, clock, source(ex.getRemoteAddress()), requestId, startNanos) : null;
    return new CallerExchange(ex, caller, trail, pending, startNanos, items, facts.body(), null);
  }

  /** What the audit record and the permission check need from a request's body and path. */
  private record Facts(String operation, String target, Map<String, String> ids,
      boolean unknownJob, boolean badBody, String data, BodyBinder.Parsed<?> body) {
    Facts(String operation, String target, Map<String, String> ids) {
      this(operation, target, ids, false, false, null, null);
    }

    Facts(String operation, String target, Map<String, String> ids, boolean unknownJob,
        boolean badBody) {
      this(operation, target, ids, unknownJob, badBody, null, null);
    }
  }

  private Facts facts(ApiRoute.Match m, String method, byte[] body) {
    String id = m.id() == null ? null : clip(decode(m.id()));
    switch (m.route()) {
      case JOBS:
        if (method.equals("POST")) {
          return createFacts(body == null ? new byte[0] : body); // no body: the 400 says so
        }
        return new Facts(null, null, Map.of());
      case RETRY:
        BodyBinder.Parsed<ApiModel.RetryBody> retry = BodyBinder.parsed(body == null
            ? new byte[0] : body, ApiModel.RetryBody.class);
        if (retry.refusal() != null) { // the handler refuses it (400), from this very parse
          return new Facts(null, null, Map.of("job", id), false, true, null, retry);
        }
        String target = retry.value() == null ? null : retry.value().target();
        try {
          return new Facts(jobOperation.apply(m.id()).orElse(null), target, Map.of("job", id),
              false, false, null, retry);
        } catch (RuntimeException e) {
          // not found, a bad id, the store unreachable: the handler answers; until it is known,
          // the job may be privileged, so its retry needs that permission (fail closed)
          return new Facts(null, target, Map.of("job", id), true, false, null, retry);
        }
      case JOB:
      case CANCEL:
        return new Facts(null, null, Map.of("job", id));
      case SCHEDULE:
        return new Facts(null, null, Map.of("schedule", id));
      case DRAIN:
      case UNDRAIN:
      case ACCEPT:
      case REJECT:
        return new Facts(null, null, Map.of("worker", id));
      default:
        return new Facts(null, null, Map.of());
    }
  }

  /**
   * The create a body asks for, parsed once (the handler creates from this very parse), so the
   * permission is checked on what will be created. A body the parse refuses (400) is described as
   * far as it can be told, for its record and its permission.
   */
  private static Facts createFacts(byte[] body) {
    CreateJobRequest r;
    try {
      r = CreateBody.parse(body);
    } catch (ApiException e) {
      Facts f = refusedCreateFacts(body);
      return new Facts(f.operation(), f.target(), f.ids(), false, f.badBody(), f.data(),
          BodyBinder.Parsed.refused(e));
    }
    return new Facts(clip(r.type()), clip(r.target()), Map.of(), false, false, r.data(),
        BodyBinder.Parsed.of(r));
  }

  /**
   * The operation type, target and data of a create body the parse refused, where they show
   * (read as a tree: the data is written again from it, not kept as sent; nothing is created).
   */
  private static Facts refusedCreateFacts(byte[] body) {
    JsonNode n;
    try {
      n = ApiJson.mapper().readTree(body);
    } catch (IOException | RuntimeException e) {
      n = null;
    }
    if (n == null || !n.isObject()) {
      return new Facts(null, null, Map.of(), false, true);
    }
    JsonNode op = n.get("operation");
    String type = op != null && op.isObject() ? textOrNull(op, "type") : null;
    String data = op != null && op.isObject() && op.hasNonNull("data")
        ? op.get("data").toString() : null;
    return new Facts(type == null ? null : clip(type), clip(textOrNull(n, "target")), Map.of(),
        false, false, data, null);
  }

  private static String textOrNull(JsonNode obj, String field) {
    if (obj == null) {
      return null;
    }
    JsonNode n = obj.get(field);
    return n != null && n.isTextual() ? n.textValue() : null;
  }

  private AuditRecord record(HttpExchange ex, Caller caller, ApiRoute.Match m, String method,
      Facts f, String requestId) {
    // milliseconds: the precision a stored record keeps
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    return new AuditRecord(newId(), now, caller.subject(), caller.roles(),
        source(ex.getRemoteAddress()), method, m.route().template(), f.ids(), f.operation(),
        f.target(), null, null, requestId, null, f.data());
  }

  private static String newId() {
    return AuditTrail.newId();
  }

  private static String requestId(HttpExchange ex) {
    String sent = ex.getRequestHeaders().getFirst("X-Request-Id");
    if (sent != null && REQUEST_ID.matcher(sent).matches()) {
      return sent;
    }
    return newId();
  }

  private static String source(InetSocketAddress a) {
    if (a == null) {
      return "unknown";
    }
    String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
  }

  private static String decode(String raw) {
    try {
      return URLDecoder.decode(raw, StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return raw;
    }
  }

  private static String clip(String s) {
    return s == null || s.length() <= MAX_FIELD ? s : s.substring(0, MAX_FIELD) + "...";
  }

  /** Logs a refusal: at most one line a second, with how many were not logged since. */
  private void logRefusal(HttpExchange ex, String why) {
    long now = System.nanoTime();
    long last = lastRefusalLog.get();
    if (now - last < 1_000_000_000L || !lastRefusalLog.compareAndSet(last, now)) {
      unloggedRefusals.incrementAndGet();
      return;
    }
    long skipped = unloggedRefusals.getAndSet(0);
    LOG.log(Level.WARNING, "API request from {0} refused ({1}){2}", source(ex.getRemoteAddress()),
        why, skipped == 0 ? "" : "; " + skipped + " more refused since the last such line");
  }
}
