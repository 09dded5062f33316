package io.osapi.app.auth;

import java.util.Optional;

/** What a caller of the REST API may do: one permission per kind of request. */
public enum Permission {
  JOBS_READ("jobs:read"),
  JOBS_CREATE("jobs:create"),
  JOBS_CREATE_PRIVILEGED("jobs:create:privileged"),
  JOBS_RETRY("jobs:retry"),
  JOBS_CANCEL("jobs:cancel"),
  JOBS_DELETE("jobs:delete"),
  WORKERS_READ("workers:read"),
  WORKERS_DRAIN("workers:drain"),
  WORKERS_TRUST("workers:trust"),
  AUDIT_READ("audit:read"),
  SCHEDULES_READ("schedules:read"),
  SCHEDULES_WRITE("schedules:write");

  private final String token;

  Permission(String token) {
    this.token = token;
  }

  /** The name in tokens, config and errors, such as {@code jobs:read}. */
  public String token() {
    return token;
  }

  /** The permission of a name written by {@link #token()}. */
  public static Optional<Permission> fromToken(String token) {
    for (Permission p : values()) {
      if (p.token.equals(token)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  @Override
  public String toString() {
    return token;
  }
}
