package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.osapi.core.domain.Rollout;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;

/**
 * The {@code rollout} member of a job record ({@link Records}), written only for a rolling
 * broadcast, so a record without it reads as before and an older record reads as no rollout:
 *
 * <pre>
 * "rollout":{"batch_size"|"batch_percent","pause_ms","max_failures","released","last_from",
 *            "released_at","stopped"}
 * </pre>
 */
final class RolloutRecords {
  private RolloutRecords() {}

  static void write(JsonGenerator g, Rollout r) throws IOException {
    if (r == null) {
      return;
    }
    g.writeObjectFieldStart("rollout");
    if (r.batchSize() > 0) {
      g.writeNumberField("batch_size", r.batchSize());
    } else {
      g.writeNumberField("batch_percent", r.batchPercent());
    }
    g.writeNumberField("pause_ms", r.pause().toMillis());
    g.writeNumberField("max_failures", r.maxFailures());
    g.writeNumberField("released", r.released());
    g.writeNumberField("last_from", r.lastFrom());
    if (r.releasedAt() != null) {
      g.writeStringField("released_at", r.releasedAt().toString());
    }
    if (r.stopped() != null) {
      g.writeStringField("stopped", r.stopped());
    }
    g.writeEndObject();
  }

  static Rollout read(JsonReader in) throws IOException {
    JsonParser p = in.p;
    in.expect(p.nextToken() == JsonToken.START_OBJECT, "rollout is not an object");
    int size = 0;
    int percent = 0;
    long pauseMs = 0;
    int maxFailures = 0;
    int released = 0;
    int lastFrom = 0;
    Instant at = null;
    String stopped = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "batch_size" -> size = in.intValue();
        case "batch_percent" -> percent = in.intValue();
        case "pause_ms" -> pauseMs = in.longValue();
        case "max_failures" -> maxFailures = in.intValue();
        case "released" -> released = in.intValue();
        case "last_from" -> lastFrom = in.intValue();
        case "released_at" -> at = in.instant();
        case "stopped" -> stopped = in.string();
        default -> in.skip();
      }
    }
    return new Rollout(size, percent, Duration.ofMillis(pauseMs), maxFailures, released, lastFrom,
        at, stopped);
  }
}
