package io.osapi.app.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.osapi.core.domain.TraceContext;
import io.osapi.app.api.ApiJson;
import io.osapi.app.api.ApiModel.CreatedJob;
import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.api.ApiModel.JobList;
import io.osapi.app.api.ApiModel.Stats;
import io.osapi.app.api.ApiModel.WorkerList;
import io.osapi.app.config.Secret;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;

/**
 * Calls a controller's REST API. Thread-safe.
 *
 * <p>Every method throws {@link ControllerException} when the controller answers with an error
 * (with its status and message) or cannot be reached (status 0).
 */
public final class ControllerClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final URI base;
  private final Optional<Secret> token;
  private final HttpClient http;

  /**
   * @param controller the controller's base URL, such as {@code http://127.0.0.1:8080}
   * @param token the bearer token to send, or empty
   */
  public ControllerClient(URI controller, Optional<Secret> token) {
    String s = Objects.requireNonNull(controller, "controller").toString();
    while (s.endsWith("/")) {
      s = s.substring(0, s.length() - 1);
    }
    this.base = URI.create(s);
    this.token = Objects.requireNonNull(token, "token");
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
        .followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** The controller's base URL. */
  public URI base() {
    return base;
  }

  /**
   * Creates a job.
   *
   * @param type the operation type
   * @param data the operation data (a JSON object), or null
   * @param target the target, or null for {@code _any}
   */
  public CreatedJob submit(String type, JsonNode data, String target) {
    return submit(type, data, target, null);
  }

  /**
   * Creates a job.
   *
   * @param type the operation type
   * @param data the operation data (a JSON object), or null
   * @param target the target, or null for {@code _any}
   * @param timeoutSeconds for a broadcast target, how long its expected workers have to answer,
   *     or null for the controller's default
   */
  public CreatedJob submit(String type, JsonNode data, String target, Long timeoutSeconds) {
    return submit(type, data, target, timeoutSeconds, null);
  }

  /**
   * Creates a job as part of the caller's trace: {@code trace} goes as the request's {@code
   * traceparent} and {@code tracestate} headers (the controller's spans continue it).
   *
   * @param trace the caller's span, or null for none
   */
  public CreatedJob submit(String type, JsonNode data, String target, Long timeoutSeconds,
      TraceContext trace) {
    return submit(type, data, target, timeoutSeconds, trace, null, null);
  }

  /** As above, with the {@code Idempotency-Key} and the create's {@code rollout} (null: none). */
  public CreatedJob submit(String type, JsonNode data, String target, Long timeoutSeconds,
      TraceContext trace, String idempotencyKey, JsonNode rollout) {
    ObjectNode body = ApiJson.mapper().createObjectNode();
    ObjectNode op = body.putObject("operation");
    op.put("type", type);
    if (data != null) {
      op.set("data", data);
    }
    if (target != null) {
      body.put("target", target);
    }
    if (timeoutSeconds != null) {
      body.put("timeout_seconds", timeoutSeconds);
    }
    if (rollout != null) {
      body.set("rollout", rollout);
    }
    return call("POST", "/api/v1/jobs", body, CreatedJob.class, trace,
        idempotencyKey == null ? Map.of() : Map.of("Idempotency-Key", idempotencyKey));
  }

  /**
   * Creates many jobs in one request ({@code POST /api/v1/jobs/batch}).
   *
   * @param ndjson create bodies, one per line (at most 1,000 and 4 MiB)
   * @return the answer of each item, in order
   */
  public io.osapi.app.api.ApiModel.BatchResult submitBatch(byte[] ndjson) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/batch"))
        .timeout(TIMEOUT).header("Accept", "application/json")
        .header("Content-Type", "application/x-ndjson")
        .POST(HttpRequest.BodyPublishers.ofByteArray(ndjson));
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t.value()));
    HttpResponse<byte[]> r = send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 300) {
      throw new ControllerException(r.statusCode(), errorMessage(r), null, retryAfter(r));
    }
    try {
      return ApiJson.mapper().readValue(r.body(), io.osapi.app.api.ApiModel.BatchResult.class);
    } catch (IOException e) {
      throw new ControllerException(r.statusCode(), "the controller's answer cannot be read: "
          + e.getMessage(), e);
    }
  }

  /** A job in full. */
  public JobDetail get(String id) {
    return call("GET", "/api/v1/jobs/" + encode(id), null, JobDetail.class);
  }

  /**
   * A page of jobs, newest first.
   *
   * @param status only this status, or null for all
   * @param limit 1 to 100
   * @param offset 0 or more
   */
  public JobList list(String status, int limit, int offset) {
    return list(status, limit, offset, null);
  }

  /**
   * A page of jobs, newest first, after a cursor.
   *
   * @param status only this status, or null for all
   * @param limit 1 to 100
   * @param offset 0 or more
   * @param after only jobs older than this job id (the {@code next} of the previous page), or null
   */
  public JobList list(String status, int limit, int offset, String after) {
    return list(new JobQuery(status, null, null, null, null, limit, offset, after));
  }

  /** A page of the jobs that match {@code query}, newest first, after its cursor. */
  public JobList list(JobQuery query) {
    return call("GET", query.path(), null, JobList.class);
  }

  /** Retries a job, to {@code target} or its original target when null. */
  public CreatedJob retry(String id, String target) {
    ObjectNode body = ApiJson.mapper().createObjectNode();
    if (target != null) {
      body.put("target", target);
    }
    return call("POST", "/api/v1/jobs/" + encode(id) + "/retry", body, CreatedJob.class);
  }

  /** Cancels a job that has not ended; the job as it is after the cancel. */
  public JobDetail cancel(String id) {
    return call("POST", "/api/v1/jobs/" + encode(id) + "/cancel", null, JobDetail.class);
  }

  /** Deletes a job with its events and results. */
  public void delete(String id) {
    call("DELETE", "/api/v1/jobs/" + encode(id), null, Void.class);
  }

  /** Every schedule: {@code {"items": [...], "total": n}}. */
  public JsonNode schedules() {
    return call("GET", "/api/v1/schedules", null, JsonNode.class);
  }

  /** One schedule with its next fire times and newest jobs. */
  public JsonNode schedule(String name) {
    return call("GET", "/api/v1/schedules/" + encode(name), null, JsonNode.class);
  }

  /** Creates a schedule from {@code body} (name, cron or every, job, ...). */
  public JsonNode createSchedule(JsonNode body) {
    return call("POST", "/api/v1/schedules", body, JsonNode.class);
  }

  /** Changes the fields of a schedule that {@code body} has ({@code paused} to pause, resume). */
  public JsonNode changeSchedule(String name, JsonNode body) {
    return call("PATCH", "/api/v1/schedules/" + encode(name), body, JsonNode.class);
  }

  /** Deletes a schedule (its jobs stay). */
  public void deleteSchedule(String name) {
    call("DELETE", "/api/v1/schedules/" + encode(name), null, Void.class);
  }

  /** Job counts by status. */
  public Stats stats() {
    return call("GET", "/api/v1/jobs/stats", null, Stats.class);
  }

  /** The first page of the live workers (the API's default size). */
  public WorkerList workers() {
    return call("GET", "/api/v1/workers", null, WorkerList.class);
  }

  /**
   * A page of the live workers, by id.
   *
   * @param limit 1 to 1000
   * @param after only workers whose id sorts after this one (the {@code next} of the previous
   *     page), or null
   */
  public WorkerList workers(int limit, String after) {
    return call("GET", "/api/v1/workers?limit=" + limit
        + (after == null ? "" : "&after=" + encode(after)), null, WorkerList.class);
  }

  /**
   * Drains a worker (it takes no new jobs, then is cordoned), or undrains it.
   *
   * @return the controller's answer: {@code worker}, {@code state}, {@code message}
   */
  public JsonNode drain(String workerId, boolean drain) {
    return call("POST", "/api/v1/workers/" + encode(workerId) + (drain ? "/drain" : "/undrain"),
        null, JsonNode.class);
  }
  /**
   * Accepts the public key a live worker announces (its signed run ends are verified from then
   * on), or rejects it.
   *
   * @param fingerprint the fingerprint the announced key must have, or null
   * @throws ControllerException 404 for a worker not registered, 409 for no key, another key or
   *     no change
   */
  public JsonNode decideKey(String workerId, boolean accept, String fingerprint) {
    return call("POST", "/api/v1/workers/" + encode(workerId) + (accept ? "/accept" : "/reject")
        + (fingerprint == null ? "" : "?fingerprint=" + encode(fingerprint)), null,
        JsonNode.class);
  }

  /**
   * A page of the audit trail, newest first: {@code {"items": [...], "next": cursor|null}}.
   *
   * @param subject, since, until, route filters, or null
   * @param limit 1 to 1000
   * @param after the {@code next} of the previous page, or null
   */
  public JsonNode audit(String subject, String since, String until, String route, int limit,
      String after) {
    StringBuilder q = new StringBuilder("/api/v1/audit?limit=").append(limit);
    addParam(q, "subject", subject);
    addParam(q, "since", since);
    addParam(q, "until", until);
    addParam(q, "route", route);
    addParam(q, "after", after);
    return call("GET", q.toString(), null, JsonNode.class);
  }

  /**
   * Copies the audit trail since {@code since} (a time or a duration back from now, or null for
   * all of it) to {@code out} as JSON Lines, oldest first.
   *
   * @return the lines copied
   */
  public long auditExport(String since, java.io.OutputStream out) {
    StringBuilder q = new StringBuilder("/api/v1/audit/export?");
    addParam(q, "since", since);
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + q.toString()))
        .header("Accept", "application/jsonl");
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t.value()));
    HttpResponse<java.io.InputStream> r =
        send(b.GET().build(), HttpResponse.BodyHandlers.ofInputStream());
    try (java.io.InputStream in = r.body()) {
      if (r.statusCode() >= 300) {
        byte[] err = in.readNBytes(64 * 1024);
        throw new ControllerException(r.statusCode(), errorMessage(err, r.statusCode()), null);
      }
      long lines = 0;
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        for (int i = 0; i < n; i++) {
          if (buf[i] == '\n') {
            lines++;
          }
        }
      }
      out.flush();
      return lines;
    } catch (IOException e) {
      throw new ControllerException(0, "the export from " + base + " broke off: "
          + e.getMessage(), e);
    }
  }

  private static void addParam(StringBuilder q, String name, String value) {
    if (value != null) {
      q.append(q.charAt(q.length() - 1) == '?' ? "" : "&").append(name).append('=')
          .append(encode(value));
    }
  }

  private <T> T call(String method, String pathAndQuery, JsonNode body, Class<T> type) {
    return call(method, pathAndQuery, body, type, null, Map.of());
  }

  private <T> T call(String method, String pathAndQuery, JsonNode body, Class<T> type,
      TraceContext trace, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + pathAndQuery))
            .timeout(TIMEOUT)
            .header("Accept", "application/json");
    if (trace != null) {
      b.header("traceparent", trace.traceparent());
      if (trace.tracestate() != null) {
        b.header("tracestate", trace.tracestate());
      }
    }
    token.ifPresent(t -> b.header("Authorization", "Bearer " + t.value()));
    headers.forEach(b::header);
    if (!method.equals("GET")) {
      // the API takes state-changing requests as JSON only, with a body or without
      b.header("Content-Type", "application/json");
    }
    if (body != null) {
      b.method(method, HttpRequest.BodyPublishers.ofByteArray(ApiJson.write(body)));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    HttpResponse<byte[]> r = send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() >= 300) {
      throw new ControllerException(r.statusCode(), errorMessage(r), null, retryAfter(r));
    }
    if (type == Void.class) {
      return null;
    }
    try {
      return ApiJson.mapper().readValue(r.body(), type);
    } catch (IOException e) {
      throw new ControllerException(r.statusCode(), "the controller's answer cannot be read: "
          + e.getMessage(), e);
    }
  }

  /** Sends a request; a failure to reach the controller is one clear {@link ControllerException}. */
  private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(req, handler);
    } catch (HttpConnectTimeoutException | ConnectException e) {
      throw new ControllerException(0, "cannot reach the controller at " + base
          + ": connection refused or timed out (is it running? see --controller)", e);
    } catch (HttpTimeoutException e) {
      throw new ControllerException(0, "the controller at " + base + " did not answer within "
          + TIMEOUT.toSeconds() + "s", e);
    } catch (IOException e) {
      throw new ControllerException(0, "cannot reach the controller at " + base + ": "
          + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ControllerException(0, "interrupted", e);
    }
  }

  /** {@code Retry-After} in whole seconds (0 to 1 h), or null when absent or a date. */
  private static Duration retryAfter(HttpResponse<byte[]> r) {
    String v = r.headers().firstValue("Retry-After").orElse(null);
    if (v == null || !v.strip().matches("\\d{1,9}")) {
      return null;
    }
    return Duration.ofSeconds(Math.min(3600, Long.parseLong(v.strip())));
  }

  private static String errorMessage(HttpResponse<byte[]> r) {
    return errorMessage(r.body(), r.statusCode());
  }

  private static String errorMessage(byte[] body, int status) {
    try {
      JsonNode n = ApiJson.mapper().readTree(body);
      if (n != null && n.hasNonNull("error")) {
        return n.get("error").asText();
      }
    } catch (JsonProcessingException e) {
      // not JSON: fall through
    } catch (IOException e) {
      // unreadable: fall through
    }
    return "HTTP " + status;
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
