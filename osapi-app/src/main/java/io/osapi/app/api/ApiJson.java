package io.osapi.app.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.Verification;
import io.osapi.core.service.WorkerKey;
import io.osapi.core.service.WorkerKeys;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.osapi.app.api.ApiModel.CreatedJob;
import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.api.ApiModel.JobList;
import io.osapi.app.api.ApiModel.JobSummary;
import io.osapi.app.api.ApiModel.OperationBody;
import io.osapi.app.api.ApiModel.ResultBody;
import io.osapi.app.api.ApiModel.Stats;
import io.osapi.app.api.ApiModel.TimelineBody;
import io.osapi.app.api.ApiModel.WorkerBody;
import io.osapi.app.api.ApiModel.WorkerList;
import io.osapi.app.api.ApiModel.WorkerStateBody;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.TimelineEntry;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.domain.WorkerPage;
import io.osapi.core.domain.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON configuration of the API and its client, and the mapping from core values to the
 * wire model. Reading is strict: duplicate keys, trailing content and nesting deeper than 64 are
 * refused, and decimals keep their precision.
 */
public final class ApiJson {
  /** Deepest nesting accepted in a request body. */
  public static final int MAX_DEPTH = 64;

  private static final ObjectMapper MAPPER = create();

  private ApiJson() {}

  /** The shared, thread-safe mapper. */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * A reader of request bodies: this configuration with {@code module}'s deserialisers (a mapper
   * of its own, so the shared one keeps Jackson's defaults for everything else).
   */
  static com.fasterxml.jackson.databind.ObjectReader strictReader(
      com.fasterxml.jackson.databind.Module module) {
    return create().registerModule(module).reader();
  }

  private static ObjectMapper create() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(16 * 1024 * 1024)
                    .maxNumberLength(1000)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .build();
    return JsonMapper.builder(factory)
        .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .defaultPropertyInclusion(
            JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.NON_NULL))
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(JsonParser.Feature.AUTO_CLOSE_SOURCE)
        .build();
  }

  /** {@code value} as JSON bytes. */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * Stored JSON text as a node that writes it as stored, byte for byte (operation data, results):
   * stored text that is somehow not JSON is kept as a string rather than failing the whole
   * answer.
   */
  public static JsonNode tree(String json) {
    if (json == null) {
      return null;
    }
    try {
      MAPPER.readTree(json); // checks it is JSON
    } catch (JsonProcessingException e) {
      return TextNode.valueOf(json);
    }
    // written back as it was stored, byte for byte: never re-serialised (1e400 stays 1e400)
    return JsonNodeFactory.instance.rawValueNode(new RawValue(json.strip()));
  }

  /** The answer to a create or retry. */
  public static CreatedJob created(JobView v) {
    return new CreatedJob(v.job().id().value(), v.status().wire(), time(v.job().created()),
        traceId(v));
  }

  /**
   * A listing item: what the job index keeps (no operation data, no error: those are in the
   * detail).
   */
  public static JobSummary summary(io.osapi.core.domain.JobSummary j) {
    return new JobSummary(
        j.id().value(),
        j.status().wire(),
        new OperationBody(j.operation(), null),
        j.target(),
        time(j.created()),
        time(j.updated()));
  }

  /** A page. */
  public static JobList list(JobPage page) {
    List<JobSummary> items = new ArrayList<>(page.items().size());
    page.items().forEach(v -> items.add(summary(v)));
    return new JobList(items, page.total(), page.next() == null ? null : page.next().value());
  }

  /** A job in full. */
  public static JobDetail detail(JobView v) {
    Map<String, WorkerStateBody> workers = new TreeMap<>();
    for (Map.Entry<String, WorkerState> e : v.workers().entrySet()) {
      WorkerState s = e.getValue();
      workers.put(
          e.getKey(),
          new WorkerStateBody(
              s.state() == null ? "pending" : s.state().wire(), s.error(), time(s.started()),
              time(s.ended()),
              seconds(s.duration())));
    }
    List<TimelineBody> timeline = new ArrayList<>();
    for (TimelineEntry t : v.timeline()) {
      timeline.add(new TimelineBody(time(t.time()), t.event(), t.worker(), t.message(), t.error()));
    }
    List<ResultBody> results = new ArrayList<>();
    for (JobResult r : v.results()) {
      results.add(
          new ResultBody(
              r.worker(), r.attempt(), r.status().wire(), tree(r.data()), r.error(),
              time(r.time()), verified(r.verification()), reason(r.verification())));
    }
    return new JobDetail(
        v.job().id().value(),
        v.status().wire(),
        operation(v),
        v.job().kind().token(),
        v.job().target().text(),
        time(v.job().created()),
        time(v.updated()),
        tree(v.result()),
        v.error(),
        workers,
        timeline,
        results,
        verified(v.verification()),
        reason(v.verification()),
        traceId(v),
        rollout(v.rollout()));
  }

  private static ApiModel.RolloutBody rollout(io.osapi.core.domain.RolloutProgress p) {
    if (p == null) {
      return null;
    }
    io.osapi.core.domain.Rollout r = p.rollout();
    return new ApiModel.RolloutBody(r.batchText(), r.window(p.expected()),
        r.pause().toSeconds(), r.maxFailures(), p.expected(), p.released(), p.running(),
        p.done(), p.failed(), p.skipped(), r.stopped());
  }

  private static String traceId(JobView v) {
    return v.trace() == null ? null : v.trace().traceId();
  }

  private static Boolean verified(Verification v) {
    return v == null ? null : v.verified();
  }

  private static String reason(Verification v) {
    return v == null ? null : v.reason();
  }

  /** Job counts by status. */
  public static Stats stats(JobStats s) {
    Map<String, Long> by = new LinkedHashMap<>();
    for (JobStatus st : JobStatus.values()) {
      by.put(st.wire(), s.byStatus().getOrDefault(st, 0L));
    }
    return new Stats(s.total(), by);
  }

  /** A page of the live workers, with heartbeat ages as of {@code now}. */
  public static WorkerList workers(WorkerPage page, Instant now) {
    return workers(page, Map.of(), now);
  }

  /** A page of the live workers, with heartbeat ages as of {@code now} and their keys' states. */
  public static WorkerList workers(WorkerPage page, Map<String, KeyDecision> keys, Instant now) {
    List<WorkerBody> out = new ArrayList<>(page.items().size());
    for (WorkerInfo w : page.items()) {
      out.add(
          new WorkerBody(
              w.id(),
              new TreeMap<>(w.labels()),
              time(w.started()),
              time(w.lastHeartbeat()),
              w.age(now).toMillis() / 1000.0,
              w.activeJobs(),
              w.concurrency(),
              w.state().wire(),
              w.observed() == null ? null : w.clockSkew().toMillis() / 1000.0,
              w.publicKey() == null ? null : WorkerKeys.state(w, keys).wire(),
              w.publicKey() == null ? null : WorkerKey.fingerprint(w.publicKey()),
              w.allowOperations()));
    }
    return new WorkerList(out, page.total(), page.next());
  }

  /** The answer to an accept or reject of a worker's key. */
  public static Map<String, String> keyDecided(String worker, boolean accepted) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("worker", worker);
    m.put("key_state", accepted ? "accepted" : "rejected");
    m.put("message", accepted
        ? "the key of worker " + worker + " is accepted: its signed run ends are verified"
        : "the key of worker " + worker + " is rejected: its run ends show as unverified");
    return m;
  }

  /** The answer to a drain or undrain. */
  public static Map<String, String> drained(String worker, boolean drain) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("worker", worker);
    m.put("state", drain ? "draining" : "ready");
    m.put("message", drain
        ? "worker " + worker + " is draining: it takes no new jobs and is cordoned once idle"
        : "worker " + worker + " is ready: it takes jobs again");
    return m;
  }

  /** The caller's subject, roles and permissions. */
  public static ApiModel.Me me(io.osapi.app.auth.Caller c) {
    return new ApiModel.Me(c.subject(), c.roles(), c.permissions().stream()
        .map(io.osapi.app.auth.Permission::token).sorted().toList());
  }

  private static OperationBody operation(JobView v) {
    return new OperationBody(v.job().operation().type(), tree(v.job().operation().data()));
  }

  private static String time(Instant t) {
    return t == null ? null : t.toString();
  }

  private static Double seconds(Duration d) {
    return d == null ? null : d.toMillis() / 1000.0;
  }
}
