package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.service.CancelOutcome;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerKeys;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;

/**
 * The handler of every {@code /api/v1} request that passed the edge ({@link ApiGuard}: caller,
 * permission, audit record): finds the route, checks the method, refuses work while the backend is unreachable, then reads and validates the input
 * and calls the {@link JobClient}.
 *
 * <p>{@code GET /api/v1/openapi.yaml} answers the API's OpenAPI document ({@link OpenApiDocument})
 * whether the backend is up or not. Errors are JSON {@code {"error", "details"}}: 400 for bad input, 401 without the right
 * token (answered by the edge, as 403 and the audit trail's 503), 404, 405 with {@code Allow}, 413 for a body over the cap, 503 with {@code Retry-After}
 * while the store or queue is unreachable (a create only once the job client's create patience
 * has run out: it holds creates through a fail-over), 507 at once for a create the job store
 * has no room for (the embedded broker's bound, the NATS job bucket's, or the NATS server's
 * storage; with the limit and the option that sets it), 422 for a request the store refuses for
 * good (a record larger than NATS's max payload), 500 for anything unexpected (logged,
 * never shown). Input is fully validated before
 * the job client is called, so a refused request stores nothing and moves no metric.
 */
public final class JobsApi implements HttpHandler {
  private static final System.Logger LOG = System.getLogger(JobsApi.class.getName());
  private static final Set<String> LIST_PARAMS = Set.of("status", "limit", "offset", "after",
      "operation", "target", "worker", "created_after", "created_before");
  private static final int DEFAULT_LIMIT = 20;
  private static final Set<String> WORKER_LIST_PARAMS = Set.of("limit", "after");
  private static final int DEFAULT_WORKER_LIMIT = 100;

  private final JobClient client;
  private final AuditApi audit;
  private final BatchApi batch;
  private final StoreLimitHints hints;
  private final int maxBodyBytes;
  private final BooleanSupplier backendUp;
  private final Clock clock;
  private final SchedulesApi schedules;
  private final IdempotentCreateApi idempotent;

  /**
   * @param client the job client
   * @param auditLog the audit trail the audit endpoints read
   * @param maxBodyBytes the body cap
   * @param backendUp whether the store and queue are reachable now
   * @param clock the time source (heartbeat ages)
   * @param hints the settings a 507 names
   */
  public JobsApi(JobClient client, AuditLog auditLog, int maxBodyBytes, BooleanSupplier backendUp,
      Clock clock, StoreLimitHints hints) {
    this(client, auditLog, maxBodyBytes, backendUp, clock, hints, null);
  }

  /** As above, serving the schedule routes with {@code schedules} (null: 404, none served). */
  public JobsApi(JobClient client, AuditLog auditLog, int maxBodyBytes, BooleanSupplier backendUp,
      Clock clock, StoreLimitHints hints, io.osapi.core.scheduler.Schedules schedules) {
    this(client, auditLog, maxBodyBytes, backendUp, clock, hints, schedules, null);
  }

  /**
   * As above, creating with an {@code Idempotency-Key} by {@code idempotent} (null: a create with
   * the header is refused, 501).
   */
  public JobsApi(JobClient client, AuditLog auditLog, int maxBodyBytes, BooleanSupplier backendUp,
      Clock clock, StoreLimitHints hints, io.osapi.core.scheduler.Schedules schedules,
      io.osapi.core.service.IdempotentCreates idempotent) {
    this.idempotent = new IdempotentCreateApi(idempotent);
    this.schedules = new SchedulesApi(schedules, client);
    this.hints = Objects.requireNonNull(hints, "hints");
    this.client = Objects.requireNonNull(client, "client");
    this.audit = new AuditApi(auditLog, clock);
    this.batch = new BatchApi(client, hints);
    this.maxBodyBytes = maxBodyBytes;
    this.backendUp = Objects.requireNonNull(backendUp, "backendUp");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try {
      Response r = route(ex);
      if (r != null) { // null: answered as a stream
        send(ex, r.status(), r.body(), r.headers());
      }
    } catch (ApiException e) {
      sendError(ex, e.status(), e.getMessage(), e.details(), e.headers());
    } catch (InvalidInputException e) {
      sendError(ex, 400, e.getMessage(), Map.of("field", e.field()), Map.of());
    } catch (StoreFullException e) {
      LOG.log(Level.WARNING, "job refused: {0}", e.getMessage());
      ApiException full = hints.answer(e);
      sendError(ex, full.status(), full.getMessage(), full.details(), full.headers());
    } catch (PermanentStoreException e) {
      LOG.log(Level.WARNING, "the store refused a request: {0}", e.getMessage());
      sendError(ex, 422, "the job store refuses this request: " + e.getMessage(), Map.of(),
          Map.of());
    } catch (BackendUnavailableException e) {
      LOG.log(Level.WARNING, "backend unavailable: {0}", e.getMessage());
      sendError(ex, 503, "the job store is unavailable, try again later", Map.of(),
          Map.of("Retry-After", "5"));
    } catch (IOException e) {
      LOG.log(Level.DEBUG, "request I/O failed: {0}", e.getMessage());
      throw e;
    } catch (RuntimeException e) {
      LOG.log(Level.ERROR, "request " + ex.getRequestMethod() + " " + ex.getRequestURI().getRawPath()
          + " failed", e);
      sendError(ex, 500, "internal error", Map.of(), Map.of());
    } finally {
      ex.close();
    }
  }

  private Response route(HttpExchange ex) throws IOException {
    CallerExchange.callerOf(ex); // only requests that passed the edge get here
    String path = ex.getRequestURI().getRawPath();
    ApiRoute.Match m =
        ApiRoute.match(path).orElseThrow(() -> ApiException.notFound("no such endpoint"));
    String method = ex.getRequestMethod();
    if (!m.route().methods().contains(method)) {
      String allow = String.join(", ", m.route().methods());
      throw new ApiException(
          405,
          "method " + abbreviate(method) + " is not allowed on " + m.route().template(),
          Map.of("allow", m.route().methods()),
          Map.of("Allow", allow));
    }
    if (m.route() == ApiRoute.OPENAPI) {
      return new Response(200, OpenApiDocument.bytes(),
          Map.of("Content-Type", OpenApiDocument.CONTENT_TYPE));
    }
    // a create is held by the job client (its create patience) while the backend is unavailable,
    // a NATS fail-over or reconnect included; everything else is refused at once
    boolean create = (m.route() == ApiRoute.JOBS || m.route() == ApiRoute.BATCH)
        && method.equals("POST");
    if (!create && m.route() != ApiRoute.ME && !backendUp.getAsBoolean()) {
      throw new ApiException(
          503, "the job store is not connected yet, try again later", Map.of(),
          Map.of("Retry-After", "5"));
    }
    return switch (m.route()) {
      case JOBS -> method.equals("POST") ? create(ex) : list(ex);
      case STATS -> Response.ok(ApiJson.stats(client.stats()));
      case BATCH -> Response.ok(batch.create(ex));
      case JOB -> method.equals("DELETE") ? delete(jobId(m.id())) : get(jobId(m.id()));
      case RETRY -> retry(ex, jobId(m.id()));
      case CANCEL -> cancel(ex, jobId(m.id()));
      case WORKERS -> workers(ex);
      case DRAIN -> noBody(ex).drain(m.id(), true);
      case UNDRAIN -> noBody(ex).drain(m.id(), false);
      case ACCEPT -> noBody(ex).decideKey(ex, m.id(), true);
      case REJECT -> noBody(ex).decideKey(ex, m.id(), false);
      case AUDIT -> new Response(200, audit.list(query(ex.getRequestURI().getRawQuery())),
          Map.of("Content-Type", "application/json; charset=utf-8"));
      case AUDIT_EXPORT -> {
        audit.export(ex, query(ex.getRequestURI().getRawQuery()));
        yield null;
      }
      case ME -> Response.ok(ApiJson.me(CallerExchange.callerOf(ex)));
      case SCHEDULES, SCHEDULE -> schedules.route(ex, m, method, maxBodyBytes);
      case OPENAPI -> throw new IllegalStateException("answered above");
    };
  }

  private Response create(HttpExchange ex) {
    io.osapi.core.domain.IdempotencyKey key = IdempotentCreateApi.keyOf(ex);
    CreateJobRequest request = CallerExchange.createOf(ex);
    CallerExchange.awaitRecord(ex); // nothing is created before its audit record is stored
    if (key != null) {
      return idempotent.create(ex, key);
    }
    return created(client.create(request, ApiTraces.of(ex)));
  }

  private Response list(HttpExchange ex) {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    for (String k : q.keySet()) {
      if (!LIST_PARAMS.contains(k)) {
        throw ApiException.badRequest(
            abbreviate(k), "unknown query parameter '" + abbreviate(k)
                + "': allowed are status, operation, target, worker, created_after,"
                + " created_before, limit, offset, after");
      }
    }
    JobStatus status = q.containsKey("status") ? JobStatus.fromWire(q.get("status")) : null;
    int limit = intParam(q, "limit", DEFAULT_LIMIT);
    int offset = intParam(q, "offset", 0);
    JobId after = q.containsKey("after") ? afterParam(q.get("after")) : null;
    JobFilter filter = new JobFilter(status, q.get("operation"), q.get("target"), q.get("worker"),
        timeParam(q, "created_after"), timeParam(q, "created_before"));
    return Response.ok(ApiJson.list(client.search(filter, limit, offset, after)));
  }

  private static Instant timeParam(Map<String, String> q, String name) {
    String v = q.get(name);
    try {
      return v == null ? null : Instant.parse(v);
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(name, name + " must be a time such as 2026-12-05T10:00:00Z,"
          + " got '" + abbreviate(v) + "'");
    }
  }

  private Response workers(HttpExchange ex) {
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    for (String k : q.keySet()) {
      if (!WORKER_LIST_PARAMS.contains(k)) {
        throw ApiException.badRequest(
            abbreviate(k), "unknown query parameter '" + abbreviate(k)
                + "': allowed are limit, after");
      }
    }
    int limit = intParam(q, "limit", DEFAULT_WORKER_LIMIT);
    String after = q.get("after");
    return Response.ok(ApiJson.workers(client.workers(limit, after), client.keys().decisions(),
        clock.instant()));
  }

  private Response get(JobId id) {
    return client.get(id)
        .map(v -> Response.ok(ApiJson.detail(v)))
        .orElseThrow(() -> notFound(id));
  }

  private Response delete(JobId id) {
    if (!client.delete(id)) {
      throw notFound(id);
    }
    return new Response(204, null, Map.of());
  }

  private Response retry(HttpExchange ex, JobId id) {
    ApiModel.RetryBody body = CallerExchange.retryOf(ex);
    String target = body == null ? null : body.target();
    Optional<JobView> v = client.retry(id, target);
    return created(v.orElseThrow(() -> notFound(id)));
  }

  /** Cancel: 202 with the job, 404, 409 when it has ended already (body: none, or {}). */
  private Response cancel(HttpExchange ex, JobId id) throws IOException {
    noBody(ex);
    CancelOutcome o = client.cancel(id, CallerExchange.callerOf(ex).subject());
    return switch (o.status()) {
      case UNKNOWN -> throw notFound(id);
      case ALREADY_ENDED -> throw new ApiException(409, "job " + id.value() + " has ended already ("
          + o.job().status().wire() + ")", Map.of("status", o.job().status().wire()), Map.of());
      case CANCELLED -> new Response(202, ApiJson.detail(o.job()), Map.of());
    };
  }

  /** Drain or undrain: 200, 404 for a worker not registered, 409 when in that state already. */
  private Response drain(String rawId, boolean drain) {
    String id = io.osapi.core.domain.Names.requireWorkerId("id",
        URLDecoder.decode(rawId, StandardCharsets.UTF_8));
    JobClient.DrainOutcome o = drain ? client.drain(id) : client.undrain(id);
    return switch (o) {
      case UNKNOWN_WORKER -> throw ApiException.notFound("worker " + id + " is not registered");
      case ALREADY -> throw new ApiException(409, drain
          ? "worker " + id + " is draining or cordoned already"
          : "worker " + id + " is not draining or cordoned", Map.of("worker", id), Map.of());
      case DONE -> Response.ok(ApiJson.drained(id, drain));
    };
  }

  /**
   * Accept or reject the key a live worker announces (only when it has the fingerprint given in
   * {@code ?fingerprint=}, if one is): 200, 404 for a worker not registered, 409 when it announces
   * no key, another key than the fingerprint, or the key is in that state already.
   */
  private Response decideKey(HttpExchange ex, String rawId, boolean accept) {
    String id = io.osapi.core.domain.Names.requireWorkerId("id",
        URLDecoder.decode(rawId, StandardCharsets.UTF_8));
    Map<String, String> q = query(ex.getRequestURI().getRawQuery());
    for (String k : q.keySet()) {
      if (!k.equals("fingerprint")) {
        throw ApiException.badRequest(abbreviate(k), "unknown query parameter '" + abbreviate(k)
            + "': allowed is fingerprint");
      }
    }
    String fp = q.get("fingerprint");
    WorkerKeys.Outcome o = accept ? client.keys().accept(id, fp) : client.keys().reject(id, fp);
    return switch (o) {
      case OTHER_KEY -> throw new ApiException(409, "worker " + id + " announces another key than "
          + abbreviate(fp) + ": compare the fingerprint in `osapi workers` with the worker's log",
          Map.of("worker", id), Map.of());
      case UNKNOWN_WORKER -> throw ApiException.notFound("worker " + id + " is not registered");
      case NO_KEY -> throw new ApiException(409, "worker " + id + " announces no key",
          Map.of("worker", id), Map.of());
      case ALREADY -> throw new ApiException(409, "the key of worker " + id + " is "
          + (accept ? "accepted" : "rejected") + " already", Map.of("worker", id), Map.of());
      case DONE -> Response.ok(ApiJson.keyDecided(id, accept));
    };
  }

  /** Refuses a body other than none or {@code {}} (400); then this handler goes on. */
  private JobsApi noBody(HttpExchange ex) throws IOException {
    BodyBinder.bind(RequestBodies.read(ex, maxBodyBytes), ApiModel.NoFields.class, false,
        Map.of());
    return this;
  }

  static Response created(JobView v) {
    return new Response(
        201, ApiJson.created(v),
        Map.of("Location", ApiRoute.BASE + "/jobs/" + v.job().id().value()));
  }

  private static ApiException notFound(JobId id) {
    return ApiException.notFound("job " + id.value() + " not found");
  }

  private static JobId afterParam(String raw) {
    try {
      return JobId.parse(raw);
    } catch (InvalidInputException e) {
      throw ApiException.badRequest("after", "after must be a job id (the \"next\" of the"
          + " previous page), got '" + abbreviate(raw) + "'");
    }
  }

  private static JobId jobId(String raw) {
    return JobId.parse(raw);
  }

  static int intParam(Map<String, String> q, String name, int dflt) {
    String v = q.get(name);
    if (v == null) {
      return dflt;
    }
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw ApiException.badRequest(
          name, name + " must be an integer, got '" + abbreviate(v) + "'");
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String k;
      String v;
      try {
        k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest("query", "the query string is not properly encoded");
      }
      if (out.put(k, v) != null) {
        throw ApiException.badRequest(
            abbreviate(k), "query parameter '" + abbreviate(k) + "' is given twice");
      }
    }
    return out;
  }

  /** 400 for a query parameter not in {@code allowed}. */
  static void onlyParams(Map<String, String> q, Set<String> allowed) {
    for (String k : q.keySet()) {
      if (!allowed.contains(k)) {
        throw ApiException.badRequest(abbreviate(k), "unknown query parameter '" + abbreviate(k)
            + "': allowed are " + String.join(", ", new java.util.TreeSet<>(allowed)));
      }
    }
  }

  static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }

  private static void sendError(
      HttpExchange ex, int status, String message, Map<String, Object> details,
      Map<String, String> headers) throws IOException {
    ApiAnswers.error(ex, status, message, details, headers);
  }

  private static void send(HttpExchange ex, int status, Object body, Map<String, String> headers)
      throws IOException {
    ApiAnswers.send(ex, status, body, headers);
  }

  record Response(int status, Object body, Map<String, String> headers) {
    static Response ok(Object body) {
      return new Response(200, body, Map.of());
    }
  }
}
