package io.osapi.core.schedule;

import io.osapi.core.internal.Json;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@link Schedule} as one JSON object: how the NATS store keeps it and the REST API shows it.
 * Fields: {@code name}, {@code cron} or {@code every}, {@code timezone}, {@code job} (the body of
 * a job create: {@code operation {type, data}}, {@code target}, {@code timeout_seconds}), {@code
 * overlap}, {@code catchup_window}, {@code paused}, {@code created}, {@code last_tick}, {@code
 * pending}, {@code recent} (each {@code tick}, {@code outcome}, {@code job_id}, {@code error}) and
 * {@code counts} ({@code fired}, {@code skipped_overlap}, {@code missed}, {@code failed}); null
 * fields are left out. Fields it does not know are skipped on reading, so a newer osapi may add
 * some.
 */
public final class ScheduleJson {
  private ScheduleJson() {}

  /** The schedule as JSON in UTF-8. */
  public static byte[] write(Schedule s) {
    return Json.write(fields(s)).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@code fields} (made of {@link #fields} and maps, lists, strings, numbers and booleans) as
   * JSON in UTF-8.
   */
  public static byte[] write(Map<String, Object> fields) {
    return Json.write(fields).getBytes(StandardCharsets.UTF_8);
  }

  /** The schedule as an ordered map of its JSON fields, to embed in other JSON. */
  public static Map<String, Object> fields(Schedule s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", s.name());
    if (s.cron() != null) {
      m.put("cron", s.cron());
    } else {
      m.put("every", s.every().text());
    }
    m.put("timezone", s.zone().getId());
    m.put("job", job(s.job()));
    m.put("overlap", s.overlap().wire());
    m.put("catchup_window", ScheduleText.durationText(s.catchupWindow()));
    m.put("paused", s.paused());
    m.put("created", s.created().toString());
    if (s.lastTick() != null) {
      m.put("last_tick", s.lastTick().toString());
    }
    if (s.pending() != null) {
      m.put("pending", fire(s.pending()));
    }
    List<Object> recent = new ArrayList<>();
    s.recent().forEach(f -> recent.add(fire(f)));
    m.put("recent", recent);
    Map<String, Object> counts = new LinkedHashMap<>();
    counts.put("fired", s.fired());
    counts.put("skipped_overlap", s.skipped());
    counts.put("missed", s.missed());
    counts.put("failed", s.failed());
    m.put("counts", counts);
    return m;
  }

  /** The job of a schedule as the body of a job create. */
  public static Map<String, Object> job(ScheduleJob j) {
    Map<String, Object> op = new LinkedHashMap<>();
    op.put("type", j.type());
    if (j.data() != null) {
      op.put("data", new Json.RawJson(j.data()));
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("operation", op);
    if (j.target() != null) {
      m.put("target", j.target());
    }
    if (j.timeout() != null) {
      m.put("timeout_seconds", j.timeout().toSeconds());
    }
    return m;
  }

  private static Map<String, Object> fire(Fire f) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("tick", f.tick().toString());
    m.put("outcome", f.outcome().wire());
    if (f.jobId() != null) {
      m.put("job_id", f.jobId());
    }
    if (f.error() != null) {
      m.put("error", f.error());
    }
    return m;
  }

  /**
   * Reads a schedule written by {@link #write}.
   *
   * @throws IllegalArgumentException for anything else
   */
  public static Schedule read(byte[] bytes) {
    Map<String, Object> m = Json.parseObject(new String(bytes, StandardCharsets.UTF_8));
    String cron = (String) m.get("cron");
    Every every = m.get("every") == null ? null : Every.parse((String) m.get("every"));
    List<Fire> recent = new ArrayList<>();
    for (Object o : list(m.get("recent"))) {
      recent.add(fire(map(o)));
    }
    Map<String, Object> counts = m.get("counts") == null ? Map.of() : map(m.get("counts"));
    return new Schedule((String) req(m, "name"), cron, every,
        ZoneId.of((String) req(m, "timezone")), job(map(req(m, "job"))),
        Overlap.parse((String) req(m, "overlap")),
        ScheduleText.parseDuration("catchup_window", (String) req(m, "catchup_window")),
        Boolean.TRUE.equals(m.get("paused")), Instant.parse((String) req(m, "created")),
        instant(m.get("last_tick")), m.get("pending") == null ? null : fire(map(m.get("pending"))),
        recent, count(counts, "fired"), count(counts, "skipped_overlap"), count(counts, "missed"),
        count(counts, "failed"));
  }

  private static ScheduleJob job(Map<String, Object> m) {
    Map<String, Object> op = map(req(m, "operation"));
    Object data = op.get("data");
    Object timeout = m.get("timeout_seconds");
    return new ScheduleJob((String) req(op, "type"), data == null ? null : Json.write(data),
        (String) m.get("target"),
        timeout == null ? null : Duration.ofSeconds(((Number) timeout).longValue()));
  }

  private static Fire fire(Map<String, Object> m) {
    return new Fire(Instant.parse((String) req(m, "tick")),
        FireOutcome.fromWire((String) req(m, "outcome")), (String) m.get("job_id"),
        (String) m.get("error"));
  }

  private static Object req(Map<String, Object> m, String k) {
    Object v = m.get(k);
    if (v == null) {
      throw new IllegalArgumentException("schedule field " + k + " missing");
    }
    return v;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    if (!(o instanceof Map)) {
      throw new IllegalArgumentException("expected an object");
    }
    return (Map<String, Object>) o;
  }

  private static List<?> list(Object o) {
    return o == null ? List.of() : (List<?>) o;
  }

  private static Instant instant(Object o) {
    return o == null ? null : Instant.parse((String) o);
  }

  private static long count(Map<String, Object> m, String k) {
    Object v = m.get(k);
    return v == null ? 0 : ((Number) v).longValue();
  }
}
