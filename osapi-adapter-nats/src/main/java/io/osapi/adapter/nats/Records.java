package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobSignature;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.TraceContext;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON values in the buckets and the notification bodies, written and read with Jackson's
 * streaming API. Operation data and results are JSON text kept exactly as given: written with
 * {@link JsonGenerator#writeRawValue(String)} and read back as the byte span of the value. JSON
 * that is not one value without surrounding blanks goes into a {@code *_text} string field instead,
 * so nothing is ever altered. Anything that cannot be read throws {@link CorruptRecordException}.
 *
 * <pre>
 * notification  {"v":2,"id","created","kind","target","operation":{"type","data"},"expected":[..],
 *                "signature":{"key","expires","value"}}  (signature: privileged jobs only; an
 *                older record has none)
 *                (more than 1,000 expected workers: "expected_n","expected_z", see {@link
 *                ExpectedWorkers})
 * jobs.&lt;id&gt;     the notification's fields, "timeout_ms" (broadcast jobs),
 *                "trace":{"traceparent","tracestate"} (traced jobs; the notification carries it as
 *                headers, see {@link NatsJobQueue}),
 *                "cancel_requested" (once a cancel was stored), "rollout" (a rolling broadcast,
 *                {@link RolloutRecords}) and
 *                "timeline":[{"time","event","worker","message","error"}]
 * runs.&lt;id&gt;.*   {"v":2,"state","worker","attempt","started","ended","result"|"result_text","error",
 *                "dead_lettered","timeline":[..]}
 * </pre>
 *
 * <p>Worker entries, deadlines and advisories: {@link ControlRecords}.
 */
final class Records {
  /** The format version in every job record, run and notification. */
  static final int FORMAT = 2;

  static final JsonFactory JSON = new JsonFactory();

  private Records() {}

  // ---- writing

  static byte[] notification(JobNotification n) {
    try (JsonOut o = new JsonOut(n.job().operation().data().length() + 256)) {
      o.g.writeStartObject();
      writeJob(o.g, n.job(), n.expected());
      o.g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] record(JobRecord r) {
    return record(r, null);
  }

  /**
   * The record; with {@code bodies}, its notification is kept there too, made of the same bytes
   * (the record's leading fields are the notification's: see {@link #notificationOf}).
   */
  static byte[] record(JobRecord r, NotificationBodies bodies) {
    try (JsonOut o = new JsonOut(r.job().operation().data().length() + 512)) {
      o.g.writeStartObject();
      writeJob(o.g, r.job(), r.expected());
      o.g.flush();
      int jobEnd = o.buf.size();
      if (r.timeout() != null) {
        o.g.writeNumberField("timeout_ms", r.timeout().toMillis());
      }
      if (r.trace() != null) {
        o.g.writeObjectFieldStart("trace");
        o.g.writeStringField("traceparent", r.trace().traceparent());
        optional(o.g, "tracestate", r.trace().tracestate());
        o.g.writeEndObject();
      }
      optional(o.g, "cancel_requested", r.cancelRequested());
      RolloutRecords.write(o.g, r.rollout());
      writeTimeline(o.g, r.timeline());
      o.g.writeEndObject();
      byte[] bytes = o.bytes();
      if (bodies != null) {
        bodies.keep(r.job(), r.expected(), notificationOf(bytes, jobEnd));
      }
      return bytes;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] run(Run r) {
    try (JsonOut o = new JsonOut(r.result() == null ? 512 : r.result().length() + 512)) {
      JsonGenerator g = o.g;
      g.writeStartObject();
      g.writeNumberField("v", FORMAT);
      g.writeStringField("state", r.state().wire());
      optional(g, "worker", r.worker());
      g.writeNumberField("attempt", r.attempt());
      optional(g, "started", r.started());
      optional(g, "ended", r.ended());
      if (r.result() != null) {
        jsonOrText(g, "result", r.result(), true);
      }
      optional(g, "error", r.error());
      if (r.deadLettered()) {
        g.writeBooleanField("dead_lettered", true);
      }
      optional(g, "signature", r.signature());
      writeTimeline(g, r.timeline());
      g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The notification of a record written by {@link #record}: its first {@code jobEnd} bytes (the
   * object's opening and the job's fields, what {@link #notification(JobNotification)} writes)
   * closed with its brace.
   */
  static byte[] notificationOf(byte[] record, int jobEnd) {
    byte[] n = java.util.Arrays.copyOf(record, jobEnd + 1);
    n[jobEnd] = '}';
    return n;
  }

  private static void writeJob(JsonGenerator g, Job job, List<String> expected)
      throws IOException {
    g.writeNumberField("v", FORMAT);
    g.writeStringField("id", job.id().value());
    IsoInstants.write(g, "created", job.created());
    g.writeStringField("kind", job.kind().token());
    g.writeStringField("target", job.target().text());
    g.writeObjectFieldStart("operation");
    g.writeStringField("type", job.operation().type());
    // Operation checked that data is JSON; only blanks around it would be lost as a raw value
    jsonOrText(g, "data", job.operation().data(), false);
    g.writeEndObject();
    if (job.signature() != null) {
      g.writeObjectFieldStart("signature");
      g.writeStringField("key", job.signature().keyId());
      IsoInstants.write(g, "expires", job.signature().expires());
      g.writeStringField("value", job.signature().value());
      g.writeEndObject();
    }
    if (ExpectedWorkers.compact(expected)) {
      g.writeNumberField("expected_n", expected.size());
      g.writeStringField("expected_z", ExpectedWorkers.encode(expected));
    } else if (!expected.isEmpty()) {
      g.writeArrayFieldStart("expected");
      for (String w : expected) {
        g.writeString(w);
      }
      g.writeEndArray();
    }
  }

  private static void writeTimeline(JsonGenerator g, List<TimelineEntry> timeline)
      throws IOException {
    g.writeArrayFieldStart("timeline");
    for (TimelineEntry t : timeline) {
      g.writeStartObject();
      optional(g, "time", t.time());
      optional(g, "event", t.event());
      optional(g, "worker", t.worker());
      optional(g, "message", t.message());
      optional(g, "error", t.error());
      g.writeEndObject();
    }
    g.writeEndArray();
  }

  /**
   * Writes {@code text} as the raw JSON value {@code name} when it is one JSON value without
   * blanks around it ({@code validate}: checked here; else only the blanks are), else as the string
   * {@code name_text}.
   */
  private static void jsonOrText(JsonGenerator g, String name, String text, boolean validate)
      throws IOException {
    if (!text.isEmpty()
        && !isBlank(text.charAt(0))
        && !isBlank(text.charAt(text.length() - 1))
        && (!validate || isOneJsonValue(text))) {
      g.writeFieldName(name);
      g.writeRawValue(text);
    } else {
      g.writeStringField(name + "_text", text);
    }
  }

  private static boolean isOneJsonValue(String text) {
    try (JsonParser p = JSON.createParser(text)) {
      if (p.nextToken() == null) {
        return false;
      }
      p.skipChildren();
      return p.nextToken() == null;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static boolean isBlank(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  }

  private static void optional(JsonGenerator g, String name, String value) throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void optional(JsonGenerator g, String name, Instant value) throws IOException {
    if (value != null) {
      IsoInstants.write(g, name, value);
    }
  }

  // ---- reading

  /** Reads a notification body. */
  static JobNotification notification(byte[] body) {
    try (JsonReader in = new JsonReader(body)) {
      JobNotification n = job(in).notification();
      in.end();
      return n;
    } catch (IOException | RuntimeException e) {
      throw corrupt("notification", e);
    }
  }

  /** Reads the record of job {@code id} (a record holding another job is corrupt). */
  static JobRecord record(JobId id, byte[] value) {
    JobRecord r;
    try (JsonReader in = new JsonReader(value)) {
      JobFields f = job(in);
      in.end();
      r = new JobRecord(f.notification().job(), f.expected, f.timeline,
          f.timeoutMs == null ? null : Duration.ofMillis(f.timeoutMs), f.trace,
          f.cancelRequested, f.rollout);
    } catch (IOException | RuntimeException e) {
      throw corrupt("job record " + id, e);
    }
    if (!r.job().id().equals(id)) {
      throw new CorruptRecordException(
          "job record " + id + " is not valid: it holds job " + r.job().id(), null);
    }
    return r;
  }

  /** Reads a run; {@code what} names it in errors. */
  static Run run(String what, byte[] value) {
    try (JsonReader in = new JsonReader(value)) {
      JsonParser p = in.p;
      in.start();
      RunState state = null;
      String worker = null;
      int attempt = 0;
      Instant started = null;
      Instant ended = null;
      String result = null;
      String error = null;
      boolean dead = false;
      String signature = null;
      List<TimelineEntry> timeline = List.of();
      int version = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        switch (name) {
          case "v" -> version = in.intValue();
          case "state" -> state = RunState.fromWire(in.string());
          case "worker" -> worker = in.string();
          case "attempt" -> attempt = in.intValue();
          case "started" -> started = in.instant();
          case "ended" -> ended = in.instant();
          case "result" -> result = in.raw();
          case "result_text" -> result = in.string();
          case "error" -> error = in.string();
          case "dead_lettered" -> dead = in.bool();
          case "signature" -> signature = in.string();
          case "timeline" -> timeline = in.timeline();
          default -> in.skip();
        }
      }
      in.version(version);
      in.end();
      if (state == null) {
        throw new IllegalArgumentException("no state");
      }
      return new Run(state, worker, attempt, started, ended, result, error, dead, timeline,
          signature);
    } catch (IOException | RuntimeException e) {
      throw corrupt(what, e);
    }
  }

  static CorruptRecordException corrupt(String what, Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CorruptRecordException(
        what + " is not valid: " + Names.abbreviate(m.replace('\n', ' '), 200), e);
  }

  private static JobFields job(JsonReader in) throws IOException {
  JsonParser p = in.p;
  in.start();
    JobFields f = new JobFields();
    int version = 0;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      switch (p.currentName()) {
        case "v" -> version = in.intValue();
        case "id" -> f.id = in.string();
        case "created" -> f.created = in.string();
        case "kind" -> f.kind = in.string();
        case "target" -> f.target = in.string();
        case "operation" -> {
          in.expect(p.nextToken() == JsonToken.START_OBJECT, "operation is not an object");
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            switch (p.currentName()) {
              case "type" -> f.type = in.string();
              case "data" -> f.data = in.raw();
              case "data_text" -> f.data = in.string();
              default -> in.skip();
            }
          }
        }
        case "expected" -> {
          in.expect(p.nextToken() == JsonToken.START_ARRAY, "expected is not an array");
          List<String> out = new ArrayList<>();
          JsonToken t;
          while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
            out.add(p.getText());
          }
          in.expect(t == JsonToken.END_ARRAY, "expected holds a non-string");
          f.expected = out;
        }
        case "signature" -> {
          in.expect(p.nextToken() == JsonToken.START_OBJECT, "signature is not an object");
          String key = null;
          Instant expires = null;
          String value = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            switch (p.currentName()) {
              case "key" -> key = in.string();
              case "expires" -> expires = in.instant();
              case "value" -> value = in.string();
              default -> in.skip();
            }
          }
          f.signature = new JobSignature(key, expires, value);
        }
        case "expected_n" -> f.expectedCount = in.intValue();
        case "expected_z" -> f.expectedPacked = in.string();
        case "timeline" -> f.timeline = in.timeline();
        case "timeout_ms" -> f.timeoutMs = in.longValue();
        case "trace" -> {
          in.expect(p.nextToken() == JsonToken.START_OBJECT, "trace is not an object");
          String parent = null;
          String state = null;
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            switch (p.currentName()) {
              case "traceparent" -> parent = in.string();
              case "tracestate" -> state = in.string();
              default -> in.skip();
            }
          }
          f.trace = TraceContext.parse(parent, state);
        }
        case "cancel_requested" -> f.cancelRequested = in.instant();
        case "rollout" -> f.rollout = RolloutRecords.read(in);
        default -> in.skip();
      }
    }
    in.version(version);
    if (f.expectedPacked != null) {
      in.expect(f.expected.isEmpty(), "both expected and expected_z");
      f.expected = ExpectedWorkers.decode(f.expectedPacked, f.expectedCount);
    }
    return f;
  }

  /** The fields a notification and a job record share. */
  private static final class JobFields {
    String id;
    String created;
    String kind;
    String target;
    String type;
    String data;
    List<String> expected = List.of();
    String expectedPacked;
    int expectedCount;
    List<TimelineEntry> timeline = List.of();
    Long timeoutMs;
    Instant cancelRequested;
    io.osapi.core.domain.Rollout rollout;
    JobSignature signature;
    TraceContext trace;

    JobNotification notification() {
      if (id == null || created == null || kind == null || type == null) {
        throw new IllegalArgumentException("id, created, kind or operation.type missing");
      }
      Job job = new Job(JobId.parse(id), new Operation(type, data == null ? "{}" : data),
          OperationKind.fromToken(kind), Target.parse(target), JsonReader.instant(created),
          signature);
      return new JobNotification(job, expected);
    }
  }
}
