package io.osapi.app.auth;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Who made a request, as the edge established it, and what they may do.
 *
 * @param subject a token's {@code sub}, {@link #STATIC_SUBJECT} for the break-glass token, or
 *     {@link #ANONYMOUS_SUBJECT} when no credential is configured (loopback use)
 * @param roles the roles named by the credential
 * @param permissions what those roles and the token's extra permissions allow
 * @param tokenId the token's {@code jti}, if it has one
 */
public record Caller(
    String subject, List<String> roles, Set<Permission> permissions, Optional<String> tokenId) {
  /** The subject of the {@code --api-token-file} credential. */
  public static final String STATIC_SUBJECT = "static-token";

  /** The subject of a request to an API that has no credential configured. */
  public static final String ANONYMOUS_SUBJECT = "anonymous";

  /** Checks for nulls; copies the collections. */
  public Caller {
    Objects.requireNonNull(subject, "subject");
    roles = List.copyOf(roles);
    permissions = permissions.isEmpty()
        ? Set.of() : Set.copyOf(EnumSet.copyOf(permissions));
    Objects.requireNonNull(tokenId, "tokenId");
  }

  /** Whether this caller holds {@code p}. */
  public boolean has(Permission p) {
    return permissions.contains(p);
  }

  /** The holder of the break-glass static token: every permission, role {@code admin}. */
  public static Caller staticToken() {
    return new Caller(STATIC_SUBJECT, List.of("admin"), EnumSet.allOf(Permission.class),
        Optional.empty());
  }

  /** A caller of an API with no credential configured (it listens on loopback): everything. */
  public static Caller anonymous() {
    return new Caller(ANONYMOUS_SUBJECT, List.of("admin"), EnumSet.allOf(Permission.class),
        Optional.empty());
  }
}
