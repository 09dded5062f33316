package io.osapi.adapter.nats;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.EventType;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.Json;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.domain.Target;
import io.osapi.core.domain.WorkerInfo;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON values stored in the buckets. Operation data and result data are embedded as JSON and
 * read back character for character, so a stored job equals the job that was written.
 *
 * <pre>
 * jobs.&lt;id&gt;        {"id","created","kind","target","subject","operation":{"type","data"}}
 * status.&lt;id&gt;...  {"job_id","event","worker","timestamp","unix_nano","data":{...}}
 * responses.&lt;id&gt;... {"job_id","worker","attempt","status","data"|"data_text","error","timestamp"}
 * workers.&lt;id&gt;     {"id","labels","started","last_heartbeat","active_jobs","concurrency"}
 * </pre>
 */
final class Records {
  private Records() {}

  static byte[] job(Job job) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("type", job.operation().type());
    op.put("data", new Json.RawJson(job.operation().data()));
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", job.id().value());
    m.put("created", job.created().toString());
    m.put("kind", job.kind().token());
    m.put("target", job.target().text());
    m.put("subject", job.subject());
    m.put("operation", op);
    return utf8(Json.write(m));
  }

  static Job job(JobId expectedId, byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    try {
      Map<String, Object> m = Json.parseObject(text);
      JobId id = JobId.parse(string(m, "id"));
      if (!id.equals(expectedId)) {
        throw new IllegalArgumentException("record holds job " + id);
      }
      Object opValue = m.get("operation");
      if (!(opValue instanceof Map<?, ?> op)) {
        throw new IllegalArgumentException("operation is not an object");
      }
      Object type = op.get("type");
      if (!(type instanceof String t)) {
        throw new IllegalArgumentException("operation.type is not a string");
      }
      String data = JsonSpans.raw(text, "operation", "data");
      return new Job(
          id,
          new Operation(t, data),
          OperationKind.fromToken(string(m, "kind")),
          Target.parse(string(m, "target")),
          Instant.parse(string(m, "created")));
    } catch (RuntimeException e) {
      throw new CorruptRecordException(
          "job record " + expectedId + " is not a valid job: " + Names.abbreviate(e.getMessage(), 200),
          e);
    }
  }

  static byte[] event(StatusEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", e.jobId().value());
    m.put("event", e.type().wire());
    m.put("worker", e.worker());
    m.put("timestamp", e.time().toString());
    m.put("unix_nano", nanos(e.time()));
    m.put("data", new LinkedHashMap<>(e.data()));
    return utf8(Json.write(m));
  }

  static StatusEvent event(byte[] value) {
    Map<String, Object> m = Json.parseObject(new String(value, StandardCharsets.UTF_8));
    Map<String, String> data = new LinkedHashMap<>();
    Object d = m.get("data");
    if (d instanceof Map<?, ?> dm) {
      for (Map.Entry<?, ?> en : dm.entrySet()) {
        data.put(String.valueOf(en.getKey()), en.getValue() == null ? "" : String.valueOf(en.getValue()));
      }
    } else if (d != null) {
      throw new IllegalArgumentException("event data is not an object");
    }
    return new StatusEvent(
        JobId.parse(string(m, "job_id")),
        EventType.fromWire(string(m, "event")),
        string(m, "worker"),
        Instant.parse(string(m, "timestamp")),
        data);
  }

  static byte[] result(JobResult r) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("job_id", r.jobId().value());
    m.put("worker", r.worker());
    m.put("attempt", r.attempt());
    m.put("status", r.status().wire());
    if (r.data() != null) {
      if (isJson(r.data())) {
        m.put("data", new Json.RawJson(r.data()));
      } else {
        m.put("data_text", r.data());
      }
    }
    if (r.error() != null) {
      m.put("error", r.error());
    }
    m.put("timestamp", r.time().toString());
    return utf8(Json.write(m));
  }

  static JobResult result(byte[] value) {
    String text = new String(value, StandardCharsets.UTF_8);
    Map<String, Object> m = Json.parseObject(text);
    String data = m.containsKey("data") ? JsonSpans.raw(text, "data") : optString(m, "data_text");
    return new JobResult(
        JobId.parse(string(m, "job_id")),
        string(m, "worker"),
        (int) number(m, "attempt"),
        EventType.fromWire(string(m, "status")),
        data,
        optString(m, "error"),
        Instant.parse(string(m, "timestamp")));
  }

  static byte[] worker(WorkerInfo w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", w.id());
    m.put("labels", new java.util.TreeMap<>(w.labels()));
    m.put("started", w.started().toString());
    m.put("last_heartbeat", w.lastHeartbeat().toString());
    m.put("active_jobs", w.activeJobs());
    m.put("concurrency", w.concurrency());
    return utf8(Json.write(m));
  }

  static WorkerInfo worker(byte[] value) {
    Map<String, Object> m = Json.parseObject(new String(value, StandardCharsets.UTF_8));
    Map<String, String> labels = new LinkedHashMap<>();
    Object l = m.get("labels");
    if (l instanceof Map<?, ?> lm) {
      for (Map.Entry<?, ?> en : lm.entrySet()) {
        labels.put(String.valueOf(en.getKey()), String.valueOf(en.getValue()));
      }
    }
    return new WorkerInfo(
        string(m, "id"),
        labels,
        Instant.parse(string(m, "started")),
        Instant.parse(string(m, "last_heartbeat")),
        (int) number(m, "active_jobs"),
        (int) number(m, "concurrency"));
  }

  /** Epoch nanoseconds of {@code t}. */
  static long nanos(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano());
  }

  private static boolean isJson(String s) {
    try {
      Json.parse(s);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static String string(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("field '" + key + "' is missing or not a string");
    }
    return s;
  }

  private static String optString(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      return null;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException("field '" + key + "' is not a string");
    }
    return s;
  }

  private static long number(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("field '" + key + "' is missing or not a number");
    }
    return n.longValue();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Finds the raw text of a member value inside JSON that {@link Json#parse} already accepted, so
   * embedded JSON comes back exactly as it was written.
   */
  static final class JsonSpans {
    private final String s;
    private int pos;

    private JsonSpans(String s) {
      this.s = s;
    }

    /** The raw value at {@code path} (member names of nested objects), or null when absent. */
    static String raw(String text, String... path) {
      JsonSpans p = new JsonSpans(text);
      int start = 0;
      int end = text.length();
      for (String key : path) {
        int[] span = p.member(start, key);
        if (span == null) {
          return null;
        }
        start = span[0];
        end = span[1];
      }
      return text.substring(start, end);
    }

    private int[] member(int start, String key) {
      pos = start;
      ws();
      if (peek() != '{') {
        return null;
      }
      pos++;
      ws();
      if (peek() == '}') {
        return null;
      }
      while (true) {
        ws();
        String k = string();
        ws();
        pos++; // ':'
        ws();
        int vs = pos;
        skipValue();
        int ve = pos;
        if (k.equals(key)) {
          return new int[] {vs, ve};
        }
        ws();
        char c = s.charAt(pos++);
        if (c == '}') {
          return null;
        }
      }
    }

    private void skipValue() {
      char c = peek();
      if (c == '"') {
        string();
      } else if (c == '{' || c == '[') {
        int depth = 0;
        do {
          char d = s.charAt(pos);
          if (d == '"') {
            string();
            continue;
          }
          if (d == '{' || d == '[') {
            depth++;
          } else if (d == '}' || d == ']') {
            depth--;
          }
          pos++;
        } while (depth > 0);
      } else {
        while (pos < s.length() && ",}] \t\r\n".indexOf(s.charAt(pos)) < 0) {
          pos++;
        }
      }
    }

    private String string() {
      StringBuilder sb = new StringBuilder();
      pos++; // opening quote
      while (true) {
        char c = s.charAt(pos++);
        if (c == '"') {
          return sb.toString();
        }
        if (c == '\\') {
          char e = s.charAt(pos++);
          switch (e) {
            case 'u' -> {
              sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
              pos += 4;
            }
            case 'n' -> sb.append('\n');
            case 't' -> sb.append('\t');
            case 'r' -> sb.append('\r');
            case 'b' -> sb.append('\b');
            case 'f' -> sb.append('\f');
            default -> sb.append(e);
          }
        } else {
          sb.append(c);
        }
      }
    }

    private void ws() {
      while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
        pos++;
      }
    }

    private char peek() {
      return pos < s.length() ? s.charAt(pos) : '\0';
    }
  }
}
