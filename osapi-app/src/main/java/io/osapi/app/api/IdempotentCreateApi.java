package io.osapi.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.sun.net.httpserver.HttpExchange;
import io.osapi.core.domain.IdempotencyKey;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.service.IdempotentCreates;
import io.osapi.core.service.IdempotentCreates.Outcome;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /api/v1/jobs} with an {@code Idempotency-Key} header (the IETF httpapi draft's
 * semantics, docs/operations.md): the first request with a key creates the job (201); a repeat by
 * the same caller with the same body within the window is answered the first request's status and
 * body with {@code Idempotent-Replayed: true}, and creates nothing; a repeat while the first is
 * still being created waits for that create and answers the same job (never a second one); the
 * key with another body is 422; an empty key, one longer than 255 characters or not printable
 * ASCII, or the header given twice, is 400. Keys are per caller (the token's subject): one caller
 * can neither replay nor probe another's.
 */
final class IdempotentCreateApi {
  /** The request header. */
  static final String KEY_HEADER = "Idempotency-Key";

  /** The answer header of a replayed answer. */
  static final String REPLAYED_HEADER = "Idempotent-Replayed";

  private final IdempotentCreates creates;

  /** @param creates the creates, or null when this server has none (a key is then 501) */
  IdempotentCreateApi(IdempotentCreates creates) {
    this.creates = creates;
  }

  /**
   * The request's key, or null without the header.
   *
   * @throws ApiException 400 for an invalid key or the header given more than once
   */
  static IdempotencyKey keyOf(HttpExchange ex) {
    List<String> values = ex.getRequestHeaders().get(KEY_HEADER);
    if (values == null) {
      return null;
    }
    if (values.size() != 1) {
      throw ApiException.badRequest(KEY_HEADER, "Idempotency-Key is given more than once");
    }
    try {
      return new IdempotencyKey(values.get(0));
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(KEY_HEADER, e.getMessage());
    }
  }

  /** Creates the request's job once per key, or answers the first request's answer. */
  JobsApi.Response create(HttpExchange ex, IdempotencyKey key) {
    if (creates == null) {
      throw new ApiException(501, "this server does not keep idempotency keys", Map.of(),
          Map.of());
    }
    Outcome o = creates.create(key, CallerExchange.callerOf(ex).subject(),
        CallerExchange.createOf(ex), ApiTraces.of(ex), v -> json(ApiJson.created(v)));
    if (o instanceof Outcome.Mismatch m) {
      throw new ApiException(422, "Idempotency-Key was first used with another request (job "
          + m.jobId().value() + "): send a new key with a new request",
          Map.of("field", KEY_HEADER, "job_id", m.jobId().value()), Map.of());
    }
    Outcome.Answer a = (Outcome.Answer) o;
    Map<String, String> headers = new HashMap<>();
    headers.put("Location", ApiRoute.BASE + "/jobs/" + a.jobId().value());
    if (a.replayed()) {
      headers.put(REPLAYED_HEADER, "true");
    }
    return new JobsApi.Response(a.status(), parse(a.body()), Map.copyOf(headers));
  }

  private static String json(Object body) {
    try {
      return ApiJson.mapper().writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object parse(String body) {
    try {
      return ApiJson.mapper().readTree(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a stored answer is not JSON", e);
    }
  }
}
