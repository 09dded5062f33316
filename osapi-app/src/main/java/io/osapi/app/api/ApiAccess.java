package io.osapi.app.api;

import io.osapi.app.auth.Permission;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The one table of what each API request needs: the permission of every route and method, checked
 * by {@link ApiGuard} before the handler runs (the handler never sees a request it is not
 * allowed). {@code docs/operations.md} shows this table and the role matrix test walks it.
 *
 * <p>A create of a privileged operation needs {@link Permission#JOBS_CREATE_PRIVILEGED} besides
 * {@link Permission#JOBS_CREATE}, and so does the retry of a privileged job (a retry runs the
 * operation again). A batch needs {@link Permission#JOBS_CREATE}; each of its items needs what its
 * single create needs, checked per item ({@link BatchItems}). A schedule's create and change need
 * {@link Permission#JOBS_CREATE} besides {@link Permission#SCHEDULES_WRITE} (its ticks create
 * jobs). The OpenAPI document and the caller's own permissions ({@code /me}) need a
 * verified caller and no permission.
 */
public final class ApiAccess {
  private ApiAccess() {}

  /**
   * One row of the table.
   *
   * @param route the route
   * @param method the HTTP method
   * @param permission what it needs, or empty for nothing beyond a verified caller
   */
  public record Rule(ApiRoute route, String method, Optional<Permission> permission) {}

  /** Every route and method with its permission, in route order. */
  public static List<Rule> table() {
    List<Rule> out = new ArrayList<>();
    for (ApiRoute r : ApiRoute.values()) {
      for (String m : r.methods()) {
        out.add(new Rule(r, m, Optional.ofNullable(permission(r, m))));
      }
    }
    return List.copyOf(out);
  }

  /**
   * What a request needs.
   *
   * @param route the matched route
   * @param method the method (HEAD as GET)
   * @param privileged whether the request creates or retries a privileged operation
   * @return the permissions it needs, all of them; empty for none (also for a method the route
   *     does not allow: the handler answers 405 and changes nothing)
   */
  public static List<Permission> required(ApiRoute route, String method, boolean privileged) {
    Permission p = permission(route, method.equals("HEAD") ? "GET" : method);
    if (p == null) {
      return List.of();
    }
    if (privileged && (p == Permission.JOBS_CREATE || p == Permission.JOBS_RETRY)) {
      return List.of(p, Permission.JOBS_CREATE_PRIVILEGED);
    }
    if (p == Permission.SCHEDULES_WRITE && !method.equals("DELETE")) {
      // a schedule creates jobs: whoever sets one up or resumes it may create them too (and a
      // privileged operation's schedule needs jobs:create:privileged: checked by SchedulesApi)
      return List.of(p, Permission.JOBS_CREATE);
    }
    return List.of(p);
  }

  /** Whether requests of this route and method change something (and are always audited). */
  public static boolean changes(ApiRoute route, String method) {
    return !method.equals("GET") && !method.equals("HEAD") && route.methods().contains(method);
  }

  private static Permission permission(ApiRoute route, String method) {
    return switch (route) {
      case JOBS -> switch (method) {
        case "GET" -> Permission.JOBS_READ;
        case "POST" -> Permission.JOBS_CREATE;
        default -> null;
      };
      case STATS -> method.equals("GET") ? Permission.JOBS_READ : null;
      case BATCH -> method.equals("POST") ? Permission.JOBS_CREATE : null;
      case JOB -> switch (method) {
        case "GET" -> Permission.JOBS_READ;
        case "DELETE" -> Permission.JOBS_DELETE;
        default -> null;
      };
      case RETRY -> method.equals("POST") ? Permission.JOBS_RETRY : null;
      case CANCEL -> method.equals("POST") ? Permission.JOBS_CANCEL : null;
      case WORKERS -> method.equals("GET") ? Permission.WORKERS_READ : null;
      case DRAIN, UNDRAIN -> method.equals("POST") ? Permission.WORKERS_DRAIN : null;
      case ACCEPT, REJECT -> method.equals("POST") ? Permission.WORKERS_TRUST : null;
      case AUDIT, AUDIT_EXPORT -> method.equals("GET") ? Permission.AUDIT_READ : null;
      case SCHEDULES -> switch (method) {
        case "GET" -> Permission.SCHEDULES_READ;
        case "POST" -> Permission.SCHEDULES_WRITE;
        default -> null;
      };
      case SCHEDULE -> switch (method) {
        case "GET" -> Permission.SCHEDULES_READ;
        case "PATCH", "DELETE" -> Permission.SCHEDULES_WRITE;
        default -> null;
      };
      case OPENAPI, ME -> null;
    };
  }
}
