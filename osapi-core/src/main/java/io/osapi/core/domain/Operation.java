package io.osapi.core.domain;

import io.osapi.core.internal.Json;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What a job does: a full operation type such as {@code system.hostname.get} and its parameters as
 * JSON text ({@code {}} when there are none).
 *
 * @param type the dotted operation type, at most 128 characters of lowercase segments
 * @param data the parameters as JSON text, normalised to {@code {}} when null or blank
 */
public record Operation(String type, String data) {
  private static final Pattern TYPE = Pattern.compile("[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+");

  /** Longest accepted operation type. */
  public static final int MAX_TYPE_LENGTH = 128;

  /** @throws InvalidInputException for a malformed type or data that is not JSON */
  public Operation {
    requireType(type);
    if (data == null || data.isBlank()) {
      data = "{}";
    } else {
      try {
        Json.parse(data); // validates
      } catch (Json.MalformedJsonException e) {
        throw new InvalidInputException("operation.data", "operation.data is not valid: " + e.getMessage());
      }
    }
  }

  /** An operation with no parameters. */
  public static Operation of(String type) {
    return new Operation(type, "{}");
  }

  /** Checks the form of an operation type without looking it up. */
  public static String requireType(String type) {
    if (type == null || type.isEmpty()) {
      throw new InvalidInputException("operation.type", "operation.type is required");
    }
    if (type.length() > MAX_TYPE_LENGTH || !TYPE.matcher(type).matches()) {
      throw new InvalidInputException(
          "operation.type",
          "operation.type '"
              + Names.abbreviate(type, 80)
              + "' is not valid: use dotted lowercase names like system.hostname.get");
    }
    return type;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Operation op && op.type.equals(type) && op.data.equals(data);
  }

  @Override
  public int hashCode() {
    return Objects.hash(type, data);
  }
}
