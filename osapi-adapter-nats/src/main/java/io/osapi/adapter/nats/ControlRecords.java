package io.osapi.adapter.nats;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON of the messages beside the jobs (the jobs' own: {@link Records}), written and read with
 * Jackson's streaming API:
 *
 * <pre>
 * workers.&lt;id&gt;  {"id","labels","started","last_heartbeat","active_jobs","concurrency","state",
 *                "host","pid","instance","public_key","allow_operations","running"}  (host, pid,
 *                instance: the writing process, when known; allow_operations: the globs of a
 *                worker's --allow-operations, absent for the default policy; running: the ids of
 *                the jobs it runs, absent in an older osapi's entry)
 * drain.&lt;id&gt;    the worker id (bucket osapi-worker-state)
 * keys.&lt;id&gt;     {"worker","public_key","state","at"}: a decision on a worker's key (same bucket)
 * deadline      {"v":2,"id","at"}   (stream JOBS_DEADLINES)
 * advisory      nats-server's max-deliveries advisory, read only (stream JOBS_ADVISORIES)
 * </pre>
 */
final class ControlRecords {
  private ControlRecords() {}

  static byte[] deadline(JobDeadline d) {
    try (JsonOut o = new JsonOut(128)) {
      o.g.writeStartObject();
      o.g.writeNumberField("v", Records.FORMAT);
      o.g.writeStringField("id", d.job().value());
      o.g.writeStringField("at", d.at().toString());
      o.g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] worker(WorkerInfo w) {
    try (JsonOut o = new JsonOut(256)) {
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
      g.writeStringField("state", w.state().wire());
      if (w.process() != null) {
        g.writeStringField("host", w.process().host());
        g.writeNumberField("pid", w.process().pid());
        g.writeStringField("instance", w.process().instance());
      }
      if (w.publicKey() != null) {
        g.writeStringField("public_key", w.publicKey());
      }
      if (w.allowOperations() != null) {
        g.writeArrayFieldStart("allow_operations");
        for (String glob : w.allowOperations()) {
          g.writeString(glob);
        }
        g.writeEndArray();
      }
      if (w.running() != null) {
        g.writeArrayFieldStart("running");
        for (JobId job : w.running()) {
          g.writeString(job.value());
        }
        g.writeEndArray();
      }
      g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static WorkerInfo worker(byte[] value) {
    try (JsonReader in = new JsonReader(value)) {
      JsonParser p = in.p;
      in.start();
      String id = null;
      Map<String, String> labels = new LinkedHashMap<>();
      Instant started = null;
      Instant last = null;
      int active = 0;
      int concurrency = 0;
      SchedulingState state = SchedulingState.READY;
      String host = null;
      long pid = 0;
      String instance = null;
      String publicKey = null;
      List<String> allow = null;
      List<JobId> running = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "id" -> id = in.string();
          case "host" -> host = in.string();
          case "pid" -> pid = in.longValue();
          case "instance" -> instance = in.string();
          case "state" -> state = SchedulingState.fromWire(in.string());
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
          case "public_key" -> publicKey = in.string();
          case "allow_operations" -> {
            in.expect(p.nextToken() == JsonToken.START_ARRAY, "allow_operations is not an array");
            allow = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
              allow.add(p.getText());
            }
            in.expect(t == JsonToken.END_ARRAY, "allow_operations holds a non-string");
          }
          case "running" -> {
            in.expect(p.nextToken() == JsonToken.START_ARRAY, "running is not an array");
            running = new ArrayList<>();
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.VALUE_STRING) {
              in.expect(running.size() < WorkerInfo.MAX_RUNNING, "running lists too many jobs");
              running.add(JobId.parse(p.getText()));
            }
            in.expect(t == JsonToken.END_ARRAY, "running holds a non-string");
          }
          default -> in.skip();
        }
      }
      in.end();
      WorkerProcess process = host == null && instance == null ? null
          : new WorkerProcess(host, pid, instance);
      return new WorkerInfo(id, labels, started, last, active, concurrency, state, process, null,
          publicKey, allow, running);
    } catch (IOException | RuntimeException e) {
      throw Records.corrupt("worker entry", e);
    }
  }

  static byte[] keyDecision(KeyDecision d) {
    try (JsonOut o = new JsonOut(256)) {
      JsonGenerator g = o.g;
      g.writeStartObject();
      g.writeStringField("worker", d.workerId());
      g.writeStringField("public_key", d.publicKey());
      g.writeStringField("state", d.state().wire());
      g.writeStringField("at", d.at().toString());
      g.writeEndObject();
      return o.bytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static KeyDecision keyDecision(byte[] value) {
    try (JsonReader in = new JsonReader(value)) {
      JsonParser p = in.p;
      in.start();
      String worker = null;
      String key = null;
      KeyState state = null;
      Instant at = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "worker" -> worker = in.string();
          case "public_key" -> key = in.string();
          case "state" -> state = KeyState.fromWire(in.string());
          case "at" -> at = in.instant();
          default -> in.skip();
        }
      }
      in.end();
      return new KeyDecision(worker, key, state, at);
    } catch (IOException | RuntimeException e) {
      throw Records.corrupt("key decision", e);
    }
  }

  /**
   * A JetStream max-deliveries advisory ({@code io.nats.jetstream.advisory.v1.max_deliver}), or
   * null when it is not one.
   */
  static Advisory advisory(byte[] value) {
    try (JsonReader in = new JsonReader(value)) {
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

  /** Reads a deadline message of stream {@code JOBS_DEADLINES}. */
  static JobDeadline deadline(byte[] body) {
    try (JsonReader in = new JsonReader(body)) {
      JsonParser p = in.p;
      in.start();
      String id = null;
      String at = null;
      int version = 0;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        switch (p.currentName()) {
          case "v" -> version = in.intValue();
          case "id" -> id = in.string();
          case "at" -> at = in.string();
          default -> in.skip();
        }
      }
      in.version(version);
      in.end();
      if (id == null || at == null) {
        throw new IllegalArgumentException("id or at missing");
      }
      return new JobDeadline(JobId.parse(id), JsonReader.instant(at));
    } catch (IOException | RuntimeException e) {
      throw Records.corrupt("deadline", e);
    }
  }

  /** What a max-deliveries advisory says: which consumer gave up on which message, after how many. */
  record Advisory(String stream, String consumer, long streamSeq, long deliveries) {}
}
