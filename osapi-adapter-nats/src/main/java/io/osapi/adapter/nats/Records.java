package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.WorkerInfo;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON values in the buckets and the notification bodies, written and read with Jackson's
 * streaming API. Operation data and results are JSON text kept exactly as given: written with
 * {@link JsonGenerator#writeRawValue(String)} and read back as the byte span of the value. JSON
 * that is not one value without surrounding blanks goes into a {@code *_text} string field instead,
 * so nothing is ever altered. Anything that cannot be read throws {@link CorruptRecordException}.
 *
 * <pre>
 * notification  {"v":2,"id","created","kind","target","operation":{"type","data"},"expected":[..]}
 * jobs.&lt;id&gt;     the notification's fields and "timeline":[{"time","event","worker","message","error"}]
 * runs.&lt;id&gt;.*   {"v":2,"state","worker","attempt","started","ended","result"|"result_text","error",
 *                "dead_lettered","timeline":[..]}
 * workers.&lt;id&gt;  {"id","labels","started","last_heartbeat","active_jobs","concurrency"}
 * </pre>
 */
final class Records {
  /** The format version in every job record, run and notification. */
  static final int FORMAT = 2;

  private static final JsonFactory JSON = new JsonFactory();

  private Records() {}

  // ---- writing

  static byte[] notification(JobNotification n) {
    try (Out o = new Out(n.job().operation().data().length() + 256)) {
      o.g.writeStartObject();
      writeJob(o.g, n.job(), n.expected());
      o.g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] record(JobRecord r) {
    try (Out o = new Out(r.job().operation().data().length() + 512)) {
      o.g.writeStartObject();
      writeJob(o.g, r.job(), r.expected());
      writeTimeline(o.g, r.timeline());
      o.g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] run(Run r) {
    try (Out o = new Out(r.result() == null ? 512 : r.result().length() + 512)) {
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
      writeTimeline(g, r.timeline());
      g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] worker(WorkerInfo w) {
    try (Out o = new Out(256)) {
      JsonGenerator g = o.g;
      g.writeStartObject();
      g.writeStringField("id", w.id());
      g.writeObjectFieldStart("labels");
      for (Map.Entry<String, String> l : new TreeMap<>(w.labels()).entrySet()) {
        g.writeStringField(l.getKey(), l.getValue());
      }
      g.writeEndObject();
      g.writeStringField("started", w.started().toString());
      g.writeStringField("last_heartbeat", w.lastHeartbeat().toString());
      g.writeNumberField("active_jobs", w.activeJobs());
      g.writeNumberField("concurrency", w.concurrency());
      g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void writeJob(JsonGenerator g, Job job, List<String> expected)
      throws IOException {
    g.writeNumberField("v", FORMAT);
    g.writeStringField("id", job.id().value());
    g.writeStringField("created", job.created().toString());
    g.writeStringField("kind", job.kind().token());
    g.writeStringField("target", job.target().text());
    g.writeObjectFieldStart("operation");
    g.writeStringField("type", job.operation().type());
    // Operation checked that data is JSON; only blanks around it would be lost as a raw value
    jsonOrText(g, "data", job.operation().data(), false);
    g.writeEndObject();
    if (!expected.isEmpty()) {
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
      g.writeStringField(name, value.toString());
    }
  }

  // ---- reading

  /** Reads a notification body. */
  static JobNotification notification(byte[] body) {
    try (In in = new In(body)) {
      JobNotification n = in.job().notification();
      in.end();
      return n;
    } catch (IOException | RuntimeException e) {
      throw corrupt("notification", e);
    }
  }

  /** Reads the record of job {@code id} (a record holding another job is corrupt). */
  static JobRecord record(JobId id, byte[] value) {
    JobRecord r;
    try (In in = new In(value)) {
      JobFields f = in.job();
      in.end();
      r = new JobRecord(f.notification().job(), f.expected, f.timeline);
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
    try (In in = new In(value)) {
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
          case "timeline" -> timeline = in.timeline();
          default -> in.skip();
        }
      }
      in.version(version);
      in.end();
      if (state == null) {
        throw new IllegalArgumentException("no state");
      }
      return new Run(state, worker, attempt, started, ended, result, error, dead, timeline);
    } catch (IOException | RuntimeException e) {
      throw corrupt(what, e);
    }
  }

  static WorkerInfo worker(byte[] value) {
    try (In in = new In(value)) {
      JsonParser p = in.p;
      in.start();
      String id = null;
      Map<String, String> labels = new LinkedHashMap<>();
      Instant started = null;
      Instant last = null;
      int active = 0;
      int concurrency = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "id" -> id = in.string();
          case "labels" -> {
            in.expect(p.nextToken() == JsonToken.START_OBJECT, "labels is not an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String k = p.currentName();
              labels.put(k, in.string());
            }
          }
          case "started" -> started = in.instant();
          case "last_heartbeat" -> last = in.instant();
          case "active_jobs" -> active = in.intValue();
          case "concurrency" -> concurrency = in.intValue();
          default -> in.skip();
        }
      }
      in.end();
      return new WorkerInfo(id, labels, started, last, active, concurrency);
    } catch (IOException | RuntimeException e) {
      throw corrupt("worker entry", e);
    }
  }

  /**
   * A JetStream max-deliveries advisory ({@code io.nats.jetstream.advisory.v1.max_deliver}), or
   * null when it is not one.
   */
  static Advisory advisory(byte[] value) {
    try (In in = new In(value)) {
      JsonParser p = in.p;
      in.start();
      String stream = null;
      String consumer = null;
      long seq = 0;
      long deliveries = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "stream" -> stream = in.string();
          case "consumer" -> consumer = in.string();
          case "stream_seq" -> seq = in.longValue();
          case "deliveries" -> deliveries = in.longValue();
          default -> in.skip();
        }
      }
      return stream == null || consumer == null || seq < 1
          ? null
          : new Advisory(stream, consumer, seq, deliveries);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** What a max-deliveries advisory says: which consumer gave up on which message, after how many. */
  record Advisory(String stream, String consumer, long streamSeq, long deliveries) {}

  private static CorruptRecordException corrupt(String what, Exception e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CorruptRecordException(
        what + " is not valid: " + Names.abbreviate(m.replace('\n', ' '), 200), e);
  }

  /**
   * An ISO-8601 instant as {@link Instant#toString()} writes it ({@code
   * 2026-01-02T03:04:05.123456789Z}), read without the formatter machinery; anything else goes to
   * {@link Instant#parse}.
   */
  static Instant instant(String s) {
    int n = s.length();
    if (n >= 20 && n <= 30 && s.charAt(4) == '-' && s.charAt(7) == '-' && s.charAt(10) == 'T'
        && s.charAt(13) == ':' && s.charAt(16) == ':' && s.charAt(n - 1) == 'Z') {
      int year = digits(s, 0, 4);
      int month = digits(s, 5, 7);
      int day = digits(s, 8, 10);
      int hour = digits(s, 11, 13);
      int minute = digits(s, 14, 16);
      int second = digits(s, 17, 19);
      int nanos = 0;
      boolean ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && hour >= 0 && hour < 24
          && minute >= 0 && minute < 60 && second >= 0 && second < 60;
      if (ok && n > 20) {
        int frac = n - 21; // digits between '.' and 'Z'
        ok = s.charAt(19) == '.' && frac >= 1 && frac <= 9;
        int f = ok ? digits(s, 20, n - 1) : -1;
        ok = ok && f >= 0;
        if (ok) {
          nanos = f;
          for (int i = frac; i < 9; i++) {
            nanos *= 10;
          }
        }
      }
      if (ok) {
        long days = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(days * 86_400L + hour * 3_600L + minute * 60L + second, nanos);
      }
    }
    return Instant.parse(s);
  }

  /** The decimal number in {@code s[from, to)}, or -1 when it is not all digits. */
  private static int digits(String s, int from, int to) {
    int v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
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
    List<TimelineEntry> timeline = List.of();

    JobNotification notification() {
      if (id == null || created == null || kind == null || type == null) {
        throw new IllegalArgumentException("id, created, kind or operation.type missing");
      }
      Job job = new Job(JobId.parse(id), new Operation(type, data == null ? "{}" : data),
          OperationKind.fromToken(kind), Target.parse(target), instant(created));
      return new JobNotification(job, expected);
    }
  }

  /** A generator writing into a byte buffer. */
  private static final class Out implements AutoCloseable {
    final ByteArrayOutputStream buf;
    final JsonGenerator g;

    Out(int size) throws IOException {
      buf = new ByteArrayOutputStream(size);
      g = JSON.createGenerator(buf, JsonEncoding.UTF8);
    }

    byte[] bytes() throws IOException {
      g.flush();
      return buf.toByteArray();
    }

    @Override
    public void close() throws IOException {
      g.close();
    }
  }

  /** A parser over one value, with the readers the records share. */
  private static final class In implements AutoCloseable {
    final byte[] src;
    final JsonParser p;

    In(byte[] src) throws IOException {
      if (src == null || src.length == 0) {
        throw new IllegalArgumentException("empty");
      }
      this.src = src;
      this.p = JSON.createParser(src);
    }

    void start() throws IOException {
      expect(p.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
    }

    /** After the top-level object: nothing else may follow. */
    void end() throws IOException {
      expect(p.currentToken() == JsonToken.END_OBJECT, "unexpected " + p.currentToken());
      expect(p.nextToken() == null, "text after the JSON object");
    }

    void version(int v) {
      if (v != FORMAT) {
        throw new IllegalArgumentException(v == 0
            ? "no format version (written by an osapi before the v2 store?)"
            : "format version " + v + ", this osapi reads " + FORMAT);
      }
    }

    JobFields job() throws IOException {
      start();
      JobFields f = new JobFields();
      int version = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "v" -> version = intValue();
          case "id" -> f.id = string();
          case "created" -> f.created = string();
          case "kind" -> f.kind = string();
          case "target" -> f.target = string();
          case "operation" -> {
            expect(p.nextToken() == JsonToken.START_OBJECT, "operation is not an object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              switch (p.currentName()) {
                case "type" -> f.type = string();
                case "data" -> f.data = raw();
                case "data_text" -> f.data = string();
                default -> skip();
              }
            }
          }
          case "expected" -> {
            expect(p.nextToken() == JsonToken.START_ARRAY, "expected is not an array");
            List<String> out = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
              out.add(p.getText());
            }
            expect(t == JsonToken.END_ARRAY, "expected holds a non-string");
            f.expected = out;
          }
          case "timeline" -> f.timeline = timeline();
          default -> skip();
        }
      }
      version(version);
      return f;
    }

    List<TimelineEntry> timeline() throws IOException {
      expect(p.nextToken() == JsonToken.START_ARRAY, "timeline is not an array");
      List<TimelineEntry> out = new ArrayList<>();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.START_OBJECT) {
        Instant time = null;
        String event = null;
        String worker = null;
        String message = null;
        String error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          switch (p.currentName()) {
            case "time" -> time = instant();
            case "event" -> event = string();
            case "worker" -> worker = string();
            case "message" -> message = string();
            case "error" -> error = string();
            default -> skip();
          }
        }
        out.add(new TimelineEntry(time, event, worker, message, error));
      }
      expect(t == JsonToken.END_ARRAY, "timeline holds a non-object");
      return out;
    }

    /** The next value, a string or null. */
    String string() throws IOException {
      JsonToken t = p.nextToken();
      if (t == JsonToken.VALUE_NULL) {
        return null;
      }
      expect(t == JsonToken.VALUE_STRING, "field '" + p.currentName() + "' is not a string");
      return p.getText();
    }

    int intValue() throws IOException {
      expect(p.nextToken() == JsonToken.VALUE_NUMBER_INT,
          "field '" + p.currentName() + "' is not a whole number");
      return p.getIntValue();
    }

    long longValue() throws IOException {
      expect(p.nextToken() == JsonToken.VALUE_NUMBER_INT,
          "field '" + p.currentName() + "' is not a whole number");
      return p.getLongValue();
    }

    boolean bool() throws IOException {
      JsonToken t = p.nextToken();
      expect(t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE,
          "field '" + p.currentName() + "' is not a boolean");
      return t == JsonToken.VALUE_TRUE;
    }

    Instant instant() throws IOException {
      String s = string();
      return s == null ? null : Records.instant(s);
    }

    /** The next value's text exactly as stored: its byte span in the source. */
    String raw() throws IOException {
      JsonToken t = p.nextToken();
      expect(t != null, "value missing");
      long start = p.currentTokenLocation().getByteOffset();
      if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
        p.skipChildren();
      } else {
        p.finishToken();
      }
      long end = p.currentLocation().getByteOffset();
      expect(start >= 0 && end > start && end <= src.length, "cannot locate a raw value");
      return new String(src, (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }

    void skip() throws IOException {
      p.nextToken();
      p.skipChildren();
    }

    void expect(boolean ok, String what) {
      if (!ok) {
        throw new IllegalArgumentException(what);
      }
    }

    @Override
    public void close() throws IOException {
      p.close();
    }
  }
}
