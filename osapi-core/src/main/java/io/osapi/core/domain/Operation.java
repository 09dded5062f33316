package io.osapi.core.domain;

import io.osapi.core.internal.Json;
import java.util.Objects;

/**
 * What a job does: a full operation type such as {@code system.hostname.get} and its parameters as
 * JSON text ({@code {}} when there are none).
 *
 * @param type the dotted operation type, at most 128 characters of lowercase segments
 * @param data the parameters as JSON text, normalised to {@code {}} when null or blank
 */
public record Operation(String type, String data) {

  /** Longest accepted operation type. */
  public static final int MAX_TYPE_LENGTH = 128;

  /** @throws InvalidInputException for a malformed type or data that is not JSON */
  public Operation {
    requireType(type);
    if (data == null || data.isBlank()) {
      data = "{}";
    } else {
      try {
        Json.check(data); // validates without building it
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
    if (type.length() > MAX_TYPE_LENGTH || !wellFormed(type)) {
      throw new InvalidInputException(
          "operation.type",
          "operation.type '"
              + Names.abbreviate(type, 80)
              + "' is not valid: use dotted lowercase names like system.hostname.get");
    }
    return type;
  }

  /**
   * Whether {@code t} is two or more dot-separated segments of a lowercase letter followed by
   * lowercase letters, digits and underscores ({@code [a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+}),
   * checked without a regular expression: every job's notification is checked on its way in.
   */
  private static boolean wellFormed(String t) {
    int segments = 0;
    boolean segmentStart = true;
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (segmentStart) {
        if (c < 'a' || c > 'z') {
          return false;
        }
        segmentStart = false;
        segments++;
      } else if (c == '.') {
        segmentStart = true;
      } else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '_') {
        return false;
      }
    }
    return !segmentStart && segments >= 2;
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
