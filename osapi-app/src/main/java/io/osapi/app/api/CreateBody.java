package io.osapi.app.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.core.service.CreateJobRequest;
import java.util.Set;

/**
 * The body of a create ({@code POST /api/v1/jobs}, and each item of a batch): one parse, one
 * validation, the same for both, so an item of a batch passes exactly the checks of a single
 * create.
 */
final class CreateBody {
  /** The fields of a create a schedule's job may hold too (a schedule's job has no rollout). */
  static final Set<String> FIELDS = Set.of("operation", "target", "timeout_seconds");
  private static final Set<String> OPERATION_FIELDS = Set.of("type", "data");

  private CreateBody() {}

  /**
   * A create body as the edge parsed it, once: the request, or why it is refused (400). The
   * handler creates from it without reading the body again.
   *
   * @param request the create, or null when refused
   * @param refusal the 400, or null when parsed
   */
  record Parsed(CreateJobRequest request, ApiException refusal) {
    /** The create, or the refusal thrown. */
    CreateJobRequest orThrow() {
      if (refusal != null) {
        throw refusal;
      }
      return request;
    }
  }

  /**
   * The create a body asks for.
   *
   * @throws ApiException 400 naming the field for anything not a valid create body
   */
  static CreateJobRequest parse(byte[] bytes) {
    JsonNode body = RequestBodies.object(bytes, true, RolloutBody.withRollout(FIELDS));
    JsonNode op = body.get("operation");
    if (op == null || op.isNull()) {
      throw ApiException.badRequest("operation", "operation is required: {\"type\": ...}");
    }
    if (!op.isObject()) {
      throw ApiException.badRequest("operation", "operation must be a JSON object");
    }
    RequestBodies.requireOnly(op, "operation.", OPERATION_FIELDS);
    JsonNode type = op.get("type");
    if (type == null || type.isNull()) {
      throw ApiException.badRequest("operation.type", "operation.type is required");
    }
    if (!type.isTextual()) {
      throw ApiException.badRequest("operation.type", "operation.type must be a string");
    }
    JsonNode data = op.get("data");
    String dataText = null;
    if (data != null && !data.isNull()) {
      if (!data.isObject()) {
        throw ApiException.badRequest("operation.data", "operation.data must be a JSON object");
      }
      // the data's bytes as sent (docs/architecture.md), re-serialised only if they cannot be told
      dataText = RequestBodies.rawMember(bytes, "operation", "data");
      if (dataText == null) {
        dataText = toJson(data);
      }
    }
    return new CreateJobRequest(type.textValue(), dataText, optionalText(body, "target"),
        timeout(body), RolloutBody.parse(body));
  }

  /** {@code timeout_seconds}: whole seconds (the job client checks the bounds), or null. */
  private static java.time.Duration timeout(JsonNode body) {
    JsonNode n = body.get("timeout_seconds");
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isIntegralNumber()) {
      throw ApiException.badRequest("timeout_seconds",
          "timeout_seconds must be a whole number of seconds");
    }
    long s = n.canConvertToLong() ? n.longValue() : Long.MAX_VALUE;
    // out of range is refused by the job client, with the bounds in the message
    return java.time.Duration.ofSeconds(Math.max(-1, Math.min(s, Long.MAX_VALUE / 1_000_000_000L)));
  }

  static String optionalText(JsonNode obj, String field) {
    JsonNode n = obj.get(field);
    if (n == null || n.isNull()) {
      return null;
    }
    if (!n.isTextual()) {
      throw ApiException.badRequest(field, field + " must be a string");
    }
    return n.textValue();
  }

  private static String toJson(JsonNode n) {
    try {
      return ApiJson.mapper().writeValueAsString(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
