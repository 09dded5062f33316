package io.osapi.app.client;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * What {@link ControllerClient#list} asks for: a page of the jobs that match every condition set
 * (null: any), newest first, after a cursor.
 *
 * @param status only this status, or null for all
 * @param operation only this operation type, or null for all
 * @param target only this target, or null for all
 * @param worker only jobs that ran on this worker, or null for all
 * @param createdAfter only jobs created at or after this time, or null
 * @param limit 1 to 100
 * @param offset 0 or more
 * @param after only jobs older than this job id (the {@code next} of the previous page), or null
 */
public record JobQuery(
    String status, String operation, String target, String worker, Instant createdAfter,
    int limit, int offset, String after) {

  /** The request's path and query, {@code /api/v1/jobs?...}. */
  String path() {
    StringBuilder q = new StringBuilder("/api/v1/jobs?limit=").append(limit);
    append(q, "operation", operation);
    append(q, "target", target);
    append(q, "worker", worker);
    append(q, "created_after", createdAfter == null ? null : createdAfter.toString());
    if (offset != 0 || after == null) {
      q.append("&offset=").append(offset);
    }
    append(q, "after", after);
    append(q, "status", status);
    return q.toString();
  }

  private static void append(StringBuilder q, String name, String value) {
    if (value != null) {
      q.append('&').append(name).append('=')
          .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }
  }
}
