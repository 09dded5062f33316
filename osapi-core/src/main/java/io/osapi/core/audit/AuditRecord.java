package io.osapi.core.audit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Who did what, from where, and how it ended: one record per audited request.
 *
 * <p>A record is appended twice under the same {@link #id}: first <em>pending</em> (no {@link
 * #status}, written before the request changes anything), then <em>final</em> (with the status and
 * duration, written before the answer goes out). The final one replaces the pending one, so a log
 * holds one record per request; a pending record that stays pending means the request's outcome
 * could not be recorded (the change may or may not have been made).
 *
 * @param id unique per request; the key under which the pending record is replaced by the final
 *     one (and the NATS message id, so a retried append is stored once)
 * @param time when the request arrived
 * @param subject who made it (a token's {@code sub}, {@code static-token}, or {@code anonymous})
 * @param roles the caller's roles
 * @param source the client's address ({@code ip:port})
 * @param method the HTTP method
 * @param route the route template, such as {@code /api/v1/jobs/{id}} (never the raw path)
 * @param ids the ids in the path by kind ({@code job}, {@code worker}, {@code schedule})
 * @param operation the operation type of a create, or null
 * @param target the target of a create, or null
 * @param status the HTTP status answered, or null while pending
 * @param durationMs how long the request took until its answer, or null while pending
 * @param requestId the request id (the client's {@code X-Request-Id} when it sent a valid one,
 *     else {@link #id})
 * @param traceId the trace id, or null
 * @param data the operation data of a create as sent (JSON text), at most {@link #MAX_DATA}
 *     characters: longer data is cut there and ends with {@link #CUT}; null when none
 */
public record AuditRecord(
    String id,
    Instant time,
    String subject,
    List<String> roles,
    String source,
    String method,
    String route,
    Map<String, String> ids,
    String operation,
    String target,
    Integer status,
    Long durationMs,
    String requestId,
    String traceId,
    String data) {
  /** The most characters of operation data a record keeps. */
  public static final int MAX_DATA = 4096;

  /** What data cut at {@link #MAX_DATA} ends with. */
  public static final String CUT = "...(cut)";

  /** Checks the required fields; copies the collections; cuts long data. */
  public AuditRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(time, "time");
    Objects.requireNonNull(subject, "subject");
    roles = List.copyOf(roles);
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(method, "method");
    Objects.requireNonNull(route, "route");
    ids = Map.copyOf(ids);
    Objects.requireNonNull(requestId, "requestId");
    if (id.isEmpty() || id.length() > 64) {
      throw new IllegalArgumentException("audit record id must be 1 to 64 characters");
    }
    if (data != null && data.length() > MAX_DATA) {
      int end = MAX_DATA - CUT.length();
      if (Character.isHighSurrogate(data.charAt(end - 1))) {
        end--;
      }
      data = data.substring(0, end) + CUT;
    }
  }

  /** A record without operation data. */
  public AuditRecord(String id, Instant time, String subject, List<String> roles, String source,
      String method, String route, Map<String, String> ids, String operation, String target,
      Integer status, Long durationMs, String requestId, String traceId) {
    this(id, time, subject, roles, source, method, route, ids, operation, target, status,
        durationMs, requestId, traceId, null);
  }

  /** True before the request's answer was recorded. */
  public boolean pending() {
    return status == null;
  }

  /** This record completed with the answer's status and the request's duration. */
  public AuditRecord completed(int status, long durationMs) {
    return new AuditRecord(id, time, subject, roles, source, method, route, ids, operation, target,
        status, durationMs, requestId, traceId, data);
  }
}
