package io.osapi.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Makes signed API tokens ({@code osapi-app token create}): claims {@code sub}, {@code roles},
 * {@code permissions} (when given), {@code iat} (now), {@code nbf} (when given), {@code exp},
 * and a random {@code jti} (for the deny list); header {@code alg} and {@code kid} of the key.
 */
public final class TokenIssuer {
  /** Longest lifetime a token may be given: 8760 h (a year). Prefer hours to days. */
  public static final Duration MAX_TTL = Duration.ofHours(8760);

  private TokenIssuer() {}

  /**
   * What a token says, checked.
   *
   * @param subject who it is for ({@code sub}): 1 to 256 characters, no control characters
   * @param roles role names ({@link Roles#NAME}); unknown ones grant nothing where verified
   * @param permissions extra permissions, each a known {@link Permission}
   * @param ttl how long it is valid, from its start ({@code nbf}, else now): above 0, at most
   *     {@link #MAX_TTL}
   * @param notBefore when it starts to be valid, or empty for now
   */
  public record Request(String subject, List<String> roles, List<String> permissions,
      Duration ttl, Optional<Instant> notBefore) {
    /** @throws ConfigException naming the option ({@code --subject}, ...) at fault */
    public Request {
      if (subject == null || subject.isBlank() || subject.length() > 256
          || subject.chars().anyMatch(Character::isISOControl)) {
        throw new ConfigException("--subject", "give who the token is for: 1 to 256 characters"
            + " without control characters");
      }
      roles = List.copyOf(roles);
      permissions = List.copyOf(permissions);
      for (String r : roles) {
        if (!Roles.NAME.matcher(r).matches()) {
          throw new ConfigException("--role", "'" + r + "' is not a role name (read, write, admin"
              + " or a custom role: a lower-case letter, then up to 31 of a-z 0-9 _ -)");
        }
      }
      for (String p : permissions) {
        if (Permission.fromToken(p).isEmpty()) {
          throw new ConfigException("--permission", "unknown permission '" + p + "'");
        }
      }
      if (roles.isEmpty() && permissions.isEmpty()) {
        throw new ConfigException("--role", "give at least one --role (read, write, admin or a"
            + " custom role) or --permission");
      }
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_TTL) > 0) {
        throw new ConfigException("--ttl", "must be above 0s and at most 8760h (a year), got "
            + Durations.format(ttl) + "; prefer short lifetimes");
      }
      Objects.requireNonNull(notBefore, "notBefore");
    }
  }

  /**
   * A compact signed token.
   *
   * @throws IllegalArgumentException when {@code keys} cannot sign (a public key)
   */
  public static String issue(TokenKeys keys, Request r, Clock clock) {
    if (!keys.canSign()) {
      throw new IllegalArgumentException("the key file holds public keys only: sign with the"
          + " private key (the file keygen wrote, not its .pub)");
    }
    Instant now = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    Instant start = r.notBefore().orElse(now);
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(r.subject())
        .claim("roles", r.roles())
        .issueTime(Date.from(now))
        .expirationTime(Date.from(start.plus(r.ttl())))
        .jwtID(UUID.randomUUID().toString());
    if (!r.permissions().isEmpty()) {
      claims.claim("permissions", r.permissions());
    }
    r.notBefore().ifPresent(t -> claims.notBeforeTime(Date.from(t)));
    JWSHeader header = new JWSHeader.Builder(keys.algorithm())
        .type(JOSEObjectType.JWT)
        .keyID(keys.signingKeyId().orElseThrow())
        .build();
    SignedJWT jwt = new SignedJWT(header, claims.build());
    try {
      jwt.sign(keys.signer());
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign: " + e.getMessage(), e);
    }
    return jwt.serialize();
  }
}
