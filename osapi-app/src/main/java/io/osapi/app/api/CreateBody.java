package io.osapi.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.BodyBinder.RawJson;
import io.osapi.core.service.CreateJobRequest;
import java.time.Duration;
import java.util.Map;

/**
 * The body of a create ({@code POST /api/v1/jobs}, each item of a batch, a schedule's {@code
 * job}): one binding ({@link BodyBinder}), one validation, the same for all, so an item of a batch
 * passes exactly the checks of a single create.
 */
final class CreateBody {
  private CreateBody() {}

  /**
   * A create body as Jackson binds it.
   *
   * @param operation what to run
   * @param target where ({@code _any} when null)
   * @param timeoutSeconds a broadcast job's timeout in whole seconds, or null
   * @param rollout a rolling broadcast's settings as sent ({@link RolloutBody}), or null
   */
  record Body(OperationIn operation, String target, Duration timeoutSeconds, JsonNode rollout) {}

  /**
   * The {@code operation} member.
   *
   * @param type the operation type
   * @param data its data as sent, or null
   */
  record OperationIn(String type, RawJson data) {}

  /**
   * The create a body asks for.
   *
   * @throws ApiException 400 naming the field for anything not a valid create body
   */
  static CreateJobRequest parse(byte[] bytes) {
    return request(BodyBinder.bind(bytes, Body.class, true, Map.of()), "");
  }

  /**
   * The create a bound body asks for; {@code prefix} names where it sits ({@code job.} in a
   * schedule, "" for a create).
   *
   * @throws ApiException 400 for a required member missing
   */
  static CreateJobRequest request(Body body, String prefix) {
    OperationIn op = body.operation();
    if (op == null) {
      throw ApiException.badRequest(prefix + "operation",
          prefix + "operation is required: {\"type\": ...}");
    }
    if (op.type() == null) {
      throw ApiException.badRequest(prefix + "operation.type",
          prefix + "operation.type is required");
    }
    return new CreateJobRequest(op.type(), op.data() == null ? null : op.data().text(),
        body.target(), body.timeoutSeconds(), RolloutBody.parse(body.rollout(), prefix));
  }
}
