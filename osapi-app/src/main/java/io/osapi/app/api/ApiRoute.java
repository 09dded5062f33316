package io.osapi.app.api;

import java.util.List;
import java.util.Optional;

/**
 * The routes of the REST API with their templates (the {@code http.route} of the HTTP server
 * metrics) and the methods each allows.
 */
public enum ApiRoute {
  /** List and create jobs. */
  JOBS("/api/v1/jobs", List.of("GET", "POST")),
  /** Job counts by status. */
  STATS("/api/v1/jobs/stats", List.of("GET")),
  /** Create many jobs at once (a JSON array or NDJSON), answered per item. */
  BATCH("/api/v1/jobs/batch", List.of("POST")),
  /** Read and delete one job. */
  JOB("/api/v1/jobs/{id}", List.of("GET", "DELETE")),
  /** Retry one job. */
  RETRY("/api/v1/jobs/{id}/retry", List.of("POST")),
  /** Cancel one job: its runs not ended are cancelled. */
  CANCEL("/api/v1/jobs/{id}/cancel", List.of("POST")),
  /** The live workers. */
  WORKERS("/api/v1/workers", List.of("GET")),
  /** Drain one worker: no new jobs, then cordoned. */
  DRAIN("/api/v1/workers/{id}/drain", List.of("POST")),
  /** Undrain one worker: ready again. */
  UNDRAIN("/api/v1/workers/{id}/undrain", List.of("POST")),
  /** Accept the public key one worker announces: its signed run ends are verified. */
  ACCEPT("/api/v1/workers/{id}/accept", List.of("POST")),
  /** Reject the public key one worker announces. */
  REJECT("/api/v1/workers/{id}/reject", List.of("POST")),
  /** The audit trail, newest first. */
  AUDIT("/api/v1/audit", List.of("GET")),
  /** The audit trail as JSON Lines, oldest first. */
  AUDIT_EXPORT("/api/v1/audit/export", List.of("GET")),
  /** List and create schedules. */
  SCHEDULES("/api/v1/schedules", List.of("GET", "POST")),
  /** Read, change (pause, resume) and delete one schedule. */
  SCHEDULE("/api/v1/schedules/{name}", List.of("GET", "PATCH", "DELETE")),
  /** This API's OpenAPI document ({@code docs/openapi.yaml}). */
  OPENAPI("/api/v1/openapi.yaml", List.of("GET")),
  /** The caller: subject, roles and permissions (what the console shows and offers). */
  ME("/api/v1/me", List.of("GET"));

  /** The path every route starts with. */
  public static final String BASE = "/api/v1";

  private final String template;
  private final List<String> methods;

  ApiRoute(String template, List<String> methods) {
    this.template = template;
    this.methods = methods;
  }

  /** The route template, such as {@code /api/v1/jobs/{id}}. */
  public String template() {
    return template;
  }

  /** The methods allowed, for {@code Allow}. */
  public List<String> methods() {
    return methods;
  }

  /**
   * A matched route and the raw {@code {id}} segment, if the route has one.
   *
   * @param route the route
   * @param id the path's id segment as sent (unchecked), or null
   */
  public record Match(ApiRoute route, String id) {}

  /** The route a raw request path belongs to, or empty for any other path. */
  public static Optional<Match> match(String rawPath) {
    if (rawPath == null || !rawPath.startsWith(BASE + "/")) {
      return Optional.empty();
    }
    String rest = rawPath.substring(BASE.length());
    if (rest.equals("/jobs")) {
      return Optional.of(new Match(JOBS, null));
    }
    if (rest.equals("/workers")) {
      return Optional.of(new Match(WORKERS, null));
    }
    if (rest.equals("/audit")) {
      return Optional.of(new Match(AUDIT, null));
    }
    if (rest.equals("/audit/export")) {
      return Optional.of(new Match(AUDIT_EXPORT, null));
    }
    if (rest.equals("/openapi.yaml")) {
      return Optional.of(new Match(OPENAPI, null));
    }
    if (rest.equals("/me")) {
      return Optional.of(new Match(ME, null));
    }
    if (rest.equals("/schedules")) {
      return Optional.of(new Match(SCHEDULES, null));
    }
    if (rest.startsWith("/schedules/") && rest.indexOf('/', "/schedules/".length()) < 0
        && rest.length() > "/schedules/".length()) {
      return Optional.of(new Match(SCHEDULE, rest.substring("/schedules/".length())));
    }
    if (rest.equals("/jobs/stats")) {
      return Optional.of(new Match(STATS, null));
    }
    if (rest.equals("/jobs/batch")) {
      return Optional.of(new Match(BATCH, null));
    }
    if (rest.startsWith("/workers/")) {
      String tail = rest.substring("/workers/".length());
      int slash = tail.indexOf('/');
      if (slash > 0 && tail.substring(slash).equals("/drain")) {
        return Optional.of(new Match(DRAIN, tail.substring(0, slash)));
      }
      if (slash > 0 && tail.substring(slash).equals("/undrain")) {
        return Optional.of(new Match(UNDRAIN, tail.substring(0, slash)));
      }
      if (slash > 0 && tail.substring(slash).equals("/accept")) {
        return Optional.of(new Match(ACCEPT, tail.substring(0, slash)));
      }
      if (slash > 0 && tail.substring(slash).equals("/reject")) {
        return Optional.of(new Match(REJECT, tail.substring(0, slash)));
      }
    }
    if (rest.startsWith("/jobs/")) {
      String tail = rest.substring("/jobs/".length());
      int slash = tail.indexOf('/');
      if (slash < 0 && !tail.isEmpty()) {
        return Optional.of(new Match(JOB, tail));
      }
      if (slash > 0 && tail.substring(slash).equals("/retry")) {
        return Optional.of(new Match(RETRY, tail.substring(0, slash)));
      }
      if (slash > 0 && tail.substring(slash).equals("/cancel")) {
        return Optional.of(new Match(CANCEL, tail.substring(0, slash)));
      }
    }
    return Optional.empty();
  }

  /**
   * The route template of a raw request path, for metrics: never the path itself, so ids and
   * unknown paths cannot become label values.
   *
   * @return the template, or null when the path is not an API route
   */
  public static String templateOf(String rawPath) {
    return match(rawPath).map(m -> m.route().template()).orElse(null);
  }
}
