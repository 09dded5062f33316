package io.osapi.core.domain;

import io.osapi.core.internal.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What is kept per idempotency key: the hash of the request it was first sent with, the job id
 * fixed for it before the create, and once the job is created, the answer (status and body) a
 * repeat gets. Without an answer it is a reservation: the create is under way, or its controller
 * stopped before storing the answer (a repeat then completes the create with the same job id).
 *
 * @param requestHash {@link #hash} of the first request
 * @param jobId the job's id, fixed when the key was reserved
 * @param reserved when the key was reserved
 * @param status the answer's HTTP status, or 0 for a reservation
 * @param answer the answer's body, or null for a reservation
 */
public record IdempotencyRecord(String requestHash, JobId jobId, Instant reserved, int status,
    String answer) {
  /** Checks the fields: an answer has a status, a reservation neither. */
  public IdempotencyRecord {
    Objects.requireNonNull(requestHash, "requestHash");
    Objects.requireNonNull(jobId, "jobId");
    Objects.requireNonNull(reserved, "reserved");
    if ((status == 0) != (answer == null)) {
      throw new IllegalArgumentException("an answer has a status, a reservation has neither");
    }
  }

  /** A reservation: no answer yet. */
  public static IdempotencyRecord reservation(String requestHash, JobId jobId, Instant reserved) {
    return new IdempotencyRecord(requestHash, jobId, reserved, 0, null);
  }

  /** This record with the answer. */
  public IdempotencyRecord answered(int status, String answer) {
    return new IdempotencyRecord(requestHash, jobId, reserved, status,
        Objects.requireNonNull(answer, "answer"));
  }

  /** Whether the answer is stored. */
  public boolean isAnswered() {
    return answer != null;
  }

  /**
   * The hash of a create: SHA-256 over its operation type, data (as sent), target and timeout
   * (each may be null but the type), so that the same create written with other whitespace or
   * field order outside the data is the same request.
   */
  public static String hash(String type, String data, String target, Duration timeout) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", type);
    m.put("data", data);
    m.put("target", target);
    m.put("timeout_ms", timeout == null ? null : timeout.toMillis());
    return IdempotencyKey.sha256(Json.write(m));
  }

  /** The record as JSON (what a store keeps). */
  public String toJson() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("request_hash", requestHash);
    m.put("job_id", jobId.value());
    m.put("reserved", reserved.toString());
    if (answer != null) {
      m.put("status", (long) status);
      m.put("answer", answer);
    }
    return Json.write(m);
  }

  /**
   * The record {@link #toJson} wrote.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static IdempotencyRecord fromJson(String json) {
    Map<String, Object> m = Json.parseObject(json);
    Object status = m.get("status");
    return new IdempotencyRecord((String) m.get("request_hash"),
        JobId.parse((String) m.get("job_id")), Instant.parse((String) m.get("reserved")),
        status == null ? 0 : ((Number) status).intValue(), (String) m.get("answer"));
  }
}
