package io.osapi.app.api;

import com.sun.net.httpserver.HttpExchange;
import io.osapi.app.auth.Permission;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.schedule.Fire;
import io.osapi.core.schedule.Schedule;
import io.osapi.core.schedule.ScheduleJob;
import io.osapi.core.schedule.ScheduleJson;
import io.osapi.core.scheduler.ScheduleSpec;
import io.osapi.core.scheduler.Schedules;
import io.osapi.core.service.JobClient;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The schedule routes of the REST API ({@code /api/v1/schedules[/{name}]}), called by {@link
 * JobsApi} once the edge let the request in: create, list, read (with the next fire times and the
 * newest jobs), change (pause and resume included) and delete. A schedule's job is checked as a
 * job create would be; one whose operation is privileged needs {@code jobs:create:privileged} of
 * the caller who creates or changes it (the edge asks {@code schedules:write} and {@code
 * jobs:create} of every create and change).
 */
final class SchedulesApi {
  /**
   * The body of a create, or of a change (every member optional; {@code name}, if given, the
   * schedule's own).
   *
   * @param job the body of a job create, as {@code POST /api/v1/jobs} takes it
   */
  record ScheduleBody(String name, String cron, String every, String timezone,
      CreateBody.Body job, String overlap, String catchupWindow, Boolean paused) {}

  /** What a {@code job} of another JSON type is told. */
  private static final Map<String, String> MESSAGES =
      Map.of("job", "job must be a JSON object: the body of a job create");
  private static final int NEXT_FIRES = 5;

  private final Schedules schedules;
  private final JobClient client;

  /**
   * @param schedules what callers may do with schedules, or null when this process serves none
   * @param client reads the statuses of the schedules' jobs
   */
  SchedulesApi(Schedules schedules, JobClient client) {
    this.schedules = schedules;
    this.client = client;
  }

  /** Answers one request of route {@link ApiRoute#SCHEDULES} or {@link ApiRoute#SCHEDULE}. */
  JobsApi.Response route(HttpExchange ex, ApiRoute.Match m, String method, int maxBodyBytes)
      throws IOException {
    if (schedules == null) {
      throw ApiException.notFound("this process serves no schedules");
    }
    if (m.route() == ApiRoute.SCHEDULES) {
      return method.equals("POST") ? create(ex, maxBodyBytes) : list();
    }
    String name = URLDecoder.decode(m.id(), StandardCharsets.UTF_8);
    Schedules.requireName(name);
    return switch (method) {
      case "PATCH" -> change(ex, name, maxBodyBytes);
      case "DELETE" -> {
        if (!schedules.delete(name)) {
          throw notFound(name);
        }
        yield new JobsApi.Response(204, null, Map.of());
      }
      default -> ok(detail(schedules.get(name).orElseThrow(() -> notFound(name))));
    };
  }

  private JobsApi.Response create(HttpExchange ex, int cap) throws IOException {
    ScheduleBody body = bind(ex, cap);
    String name = body.name();
    if (name == null) {
      throw ApiException.badRequest("name", "name is required");
    }
    ScheduleSpec spec = spec(body);
    checkPrivilege(ex, spec.job());
    Schedule s;
    try {
      s = schedules.create(name, spec);
    } catch (RevisionConflictException e) {
      throw new ApiException(409, "schedule " + name + " exists", Map.of("field", "name"),
          Map.of());
    }
    return new JobsApi.Response(201, json(detail(s)),
        Map.of("Location", ApiRoute.BASE + "/schedules/" + name,
            "Content-Type", "application/json; charset=utf-8"));
  }

  private JobsApi.Response change(HttpExchange ex, String name, int cap) throws IOException {
    ScheduleBody body = bind(ex, cap);
    if (body.name() != null && !name.equals(body.name())) {
      throw ApiException.badRequest("name", "a schedule cannot be renamed");
    }
    ScheduleSpec spec = spec(body);
    Schedule have = schedules.get(name).orElseThrow(() -> notFound(name));
    checkPrivilege(ex, spec.job() != null ? spec.job() : have.job());
    return ok(detail(schedules.change(name, spec).orElseThrow(() -> notFound(name))));
  }

  private JobsApi.Response list() {
    List<Object> items = new ArrayList<>();
    for (Schedule s : schedules.list()) {
      Map<String, Object> m = ScheduleJson.fields(s);
      m.put("next_fires", times(schedules.nextFires(s, 1)));
      items.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("items", items);
    out.put("total", items.size());
    return ok(out);
  }

  /** The schedule, its next fire times and its newest jobs with their statuses. */
  private Map<String, Object> detail(Schedule s) {
    Map<String, Object> m = ScheduleJson.fields(s);
    m.put("next_fires", times(schedules.nextFires(s, NEXT_FIRES)));
    List<Object> jobs = new ArrayList<>();
    for (Fire f : s.recent()) {
      if (f.jobId() == null) {
        continue;
      }
      Map<String, Object> j = new LinkedHashMap<>();
      j.put("job_id", f.jobId());
      j.put("tick", f.tick().toString());
      Optional<JobView> v = client.get(JobId.parse(f.jobId()));
      j.put("status", v.map(x -> x.status().wire()).orElse("gone"));
      jobs.add(j);
    }
    m.put("last_jobs", jobs);
    return m;
  }

  /** A privileged operation's schedule needs the permission its job create would. */
  private void checkPrivilege(HttpExchange ex, ScheduleJob job) {
    if (job == null) {
      return;
    }
    boolean privileged = client.operations().find(job.type())
        .map(OperationDefinition::privileged).orElse(false);
    if (privileged && !CallerExchange.callerOf(ex).has(Permission.JOBS_CREATE_PRIVILEGED)) {
      String p = Permission.JOBS_CREATE_PRIVILEGED.token();
      throw new ApiException(403, "permission " + p + " is required to schedule operation "
          + job.type(), Map.of("permission", p), Map.of());
    }
  }

  private static ScheduleBody bind(HttpExchange ex, int cap) throws IOException {
    return BodyBinder.bind(RequestBodies.read(ex, cap), ScheduleBody.class, true, MESSAGES);
  }

  private static ScheduleSpec spec(ScheduleBody body) {
    return new ScheduleSpec(body.cron(), body.every(), body.timezone(), job(body.job()),
        body.overlap(), body.catchupWindow(), body.paused());
  }

  /** The {@code job} member: the body of a job create, checked as a create's. */
  private static ScheduleJob job(CreateBody.Body body) {
    if (body == null) {
      return null;
    }
    io.osapi.core.service.CreateJobRequest r = CreateBody.request(body, "job.");
    return new ScheduleJob(r.type(), r.data(), r.target(), r.timeout());
  }

  private static List<Object> times(List<Instant> ts) {
    List<Object> out = new ArrayList<>();
    ts.forEach(t -> out.add(t.toString()));
    return out;
  }

  private static JobsApi.Response ok(Map<String, Object> body) {
    return new JobsApi.Response(200, json(body),
        Map.of("Content-Type", "application/json; charset=utf-8"));
  }

  private static byte[] json(Map<String, Object> body) {
    return ScheduleJson.write(body);
  }

  private static ApiException notFound(String name) {
    return ApiException.notFound("schedule " + name + " not found");
  }
}
