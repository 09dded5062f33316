package io.osapi.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Rollout;
import java.time.Duration;
import java.util.Iterator;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code rollout} member of a create body: {@code {"batch_size": 2 | "25%", "pause_seconds":
 * 0, "max_failures": 0}}, a rolling broadcast ({@link Rollout}). Its own class, called with one
 * line from {@link CreateBody}'s parse; every refusal is a 400 naming the field.
 */
final class RolloutBody {
  private static final Set<String> FIELDS = Set.of("batch_size", "pause_seconds", "max_failures");

  private RolloutBody() {}

  /**
   * The body's {@code rollout} member {@code r}, not started, or null when it has none; {@code
   * prefix} names where the body sits ({@code job.} in a schedule, whose job has no rollout).
   *
   * @throws ApiException 400 naming the field
   */
  static Rollout parse(JsonNode r, String prefix) {
    if (r == null || r.isNull()) {
      return null;
    }
    if (!prefix.isEmpty()) {
      throw ApiException.badRequest(prefix + "rollout", "unknown field '" + prefix + "rollout':"
          + " a schedule's job has no rollout (each tick's job is created at once)");
    }
    if (!r.isObject()) {
      throw ApiException.badRequest("rollout", "rollout must be a JSON object: {\"batch_size\":"
          + " 2 or \"25%\", \"pause_seconds\": 0, \"max_failures\": 0}");
    }
    for (Iterator<String> names = r.fieldNames(); names.hasNext(); ) {
      String n = names.next();
      if (!FIELDS.contains(n)) {
        String name = "rollout." + (n.length() > 40 ? n.substring(0, 40) + "..." : n);
        throw ApiException.badRequest(name, "unknown field '" + name + "': allowed are "
            + String.join(", ", new TreeSet<>(FIELDS.stream().map(f -> "rollout." + f).toList())));
      }
    }
    JsonNode b = r.get("batch_size");
    int size = 0;
    int percent = 0;
    if (b == null || b.isNull()) {
      throw ApiException.badRequest("rollout.batch_size", "rollout.batch_size is required: a"
          + " count of at least 1 or a share \"1%\" to \"100%\"");
    } else if (b.isIntegralNumber()) {
      size = b.canConvertToInt() && b.intValue() > 0 ? b.intValue() : -1;
    } else if (b.isTextual() && b.textValue().matches("[0-9]{1,3}%")) {
      String t = b.textValue();
      percent = Integer.parseInt(t.substring(0, t.length() - 1));
      percent = percent == 0 ? -1 : percent;
    } else {
      size = -1;
    }
    try {
      return Rollout.of(size, percent,
          Duration.ofSeconds(whole(r, "pause_seconds", Rollout.MAX_PAUSE.toSeconds())),
          (int) whole(r, "max_failures", Integer.MAX_VALUE));
    } catch (InvalidInputException e) {
      throw ApiException.badRequest(e.field(), e.getMessage());
    }
  }

  /** A whole number of at least 0 (0 when absent); past {@code most} is refused. */
  private static long whole(JsonNode r, String field, long most) {
    JsonNode n = r.get(field);
    if (n == null || n.isNull()) {
      return 0;
    }
    if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0
        || n.longValue() > most) {
      throw ApiException.badRequest("rollout." + field, "rollout." + field + " must be a whole"
          + " number from 0 to " + most);
    }
    return n.longValue();
  }
}
