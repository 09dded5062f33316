package io.osapi.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Verifies a signed API token (a compact JWS) and makes its {@link Caller}. The algorithm and key
 * come from the configured {@link TokenKeys}, never from the token: a token whose header names
 * another algorithm ({@code none}, HS256 against EC keys, ES256 against a secret) is refused
 * before any signature check, and its {@code kid} only chooses among the configured keys.
 *
 * <p>Required claims: {@code sub}, {@code iat}, {@code exp}, {@code roles} (a list of strings);
 * optional {@code permissions} (strings), {@code nbf}, {@code jti}. Time claims allow {@link
 * #CLOCK_SKEW} of clock difference between the signing and the verifying host. Refusals carry a
 * detail safe to log: never the token, never a claim value but the token id.
 */
public final class TokenVerifier {
  /** Clock difference tolerated for {@code exp}, {@code nbf} and {@code iat}: 30 seconds. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  /**
   * Tokens whose signature and claims verified are remembered (by their SHA-256) so that the next
   * request with the same token skips the signature check (ES256 costs about a millisecond):
   * at most this many, then they are all forgotten. Expiry, not-before and the deny list are
   * checked at every use.
   */
  static final int MAX_CACHED = 10_000;

  /** Longest token looked at, in characters. */
  public static final int MAX_TOKEN_CHARS = 16 * 1024;

  private final TokenKeys keys;
  private final Roles roles;
  private final RevocationList revoked;
  private final Clock clock;
  private final java.util.concurrent.ConcurrentHashMap<String, Checked> verified =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param keys the keys, which pin the algorithm
   * @param roles what roles grant
   * @param revoked the deny list of token ids
   * @param clock the time tokens are checked against
   */
  public TokenVerifier(TokenKeys keys, Roles roles, RevocationList revoked, Clock clock) {
    this.keys = Objects.requireNonNull(keys, "keys");
    this.roles = Objects.requireNonNull(roles, "roles");
    this.revoked = Objects.requireNonNull(revoked, "revoked");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /** The keys tokens are checked with. */
  public TokenKeys keys() {
    return keys;
  }

  /** Base64url parts and dots: the only spelling of a token (an unsigned one has no third). */
  private static final java.util.regex.Pattern COMPACT_JWS =
      java.util.regex.Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  /** Verifies {@code token}; never throws for any input. */
  public Authentication verify(String token) {
    if (token == null || token.isEmpty()) {
      return refused(AuthFailure.MISSING, "no token");
    }
    if (token.length() > MAX_TOKEN_CHARS) {
      return refused(AuthFailure.INVALID, "token longer than " + MAX_TOKEN_CHARS + " characters");
    }
    if (!COMPACT_JWS.matcher(token).matches()) {
      // only base64url and dots: base64 decoders also take '+' and '/' (and padding), so one
      // signed token would have several spellings
      return refused(AuthFailure.INVALID, "not a compact JWS (base64url parts and dots only)");
    }
    String key = cacheKey(token);
    Checked known = verified.get(key);
    if (known != null) {
      return use(known);
    }
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException | RuntimeException e) {
      return refused(AuthFailure.INVALID, "not a signed JWT (" + algorithmOf(token) + ")");
    }
    JWSHeader header = jwt.getHeader();
    if (!keys.algorithm().equals(header.getAlgorithm())) {
      return refused(AuthFailure.INVALID, "algorithm " + header.getAlgorithm()
          + " not accepted (the keys are " + keys.algorithm() + ")");
    }
    String kid = header.getKeyID();
    if (kid == null) {
      if (keys.keyIds().size() != 1) {
        return refused(AuthFailure.INVALID, "no key id (kid) and several keys configured");
      }
      kid = keys.keyIds().get(0);
    }
    Optional<JWSVerifier> verifier = keys.verifier(kid);
    if (verifier.isEmpty()) {
      return refused(AuthFailure.INVALID, "unknown key id " + printable(kid));
    }
    try {
      if (!jwt.verify(verifier.get())) {
        return refused(AuthFailure.INVALID, "bad signature (key " + kid + ")");
      }
    } catch (JOSEException | RuntimeException e) {
      return refused(AuthFailure.INVALID, "bad signature (key " + kid + ")");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
    } catch (ParseException e) {
      return refused(AuthFailure.INVALID, "claims are not a JSON object");
    }
    Object checked = claimsOf(claims, kid);
    if (checked instanceof Checked c) {
      if (verified.size() >= MAX_CACHED) {
        verified.clear();
      }
      verified.put(key, c);
      return use(c);
    }
    return (Authentication) checked;
  }

  /** What a verified token says: checked once, its times and revocation at every use. */
  private record Checked(Caller caller, Instant iat, Instant exp, Instant nbf, String which) {}

  /** The claims of a token whose signature verified, or why they do not do. */
  private Object claimsOf(JWTClaimsSet claims, String kid) {
    String sub = claims.getSubject();
    Date iat = claims.getIssueTime();
    Date exp = claims.getExpirationTime();
    List<String> tokenRoles;
    List<String> extra;
    try {
      tokenRoles = claims.getStringListClaim("roles");
      extra = claims.getStringListClaim("permissions");
    } catch (ParseException | RuntimeException e) {
      return refused(AuthFailure.INVALID, "roles or permissions claim is not a list of strings");
    }
    String jti = claims.getJWTID();
    String which = " (key " + kid + (jti == null ? "" : ", jti " + printable(jti)) + ")";
    if (sub == null || sub.isBlank()) {
      return refused(AuthFailure.INVALID, "missing claim sub" + which);
    }
    if (iat == null) {
      return refused(AuthFailure.INVALID, "missing claim iat" + which);
    }
    if (exp == null) {
      return refused(AuthFailure.INVALID, "missing claim exp" + which);
    }
    if (tokenRoles == null) {
      return refused(AuthFailure.INVALID, "missing claim roles" + which);
    }
    Date nbf = claims.getNotBeforeTime();
    List<String> rs = tokenRoles.stream().filter(Objects::nonNull).toList();
    List<String> ps = extra == null ? List.of()
        : extra.stream().filter(Objects::nonNull).toList();
    return new Checked(new Caller(sub, rs, roles.permissionsOf(rs, ps), Optional.ofNullable(jti)),
        iat.toInstant(), exp.toInstant(), nbf == null ? null : nbf.toInstant(), which);
  }

  /** The checks of every use: expiry, not-before, issue time, the deny list. */
  private Authentication use(Checked c) {
    Instant now = clock.instant();
    if (!now.isBefore(c.exp().plus(CLOCK_SKEW))) {
      return refused(AuthFailure.EXPIRED, "expired at " + c.exp() + c.which());
    }
    if (c.nbf() != null && now.plus(CLOCK_SKEW).isBefore(c.nbf())) {
      return refused(AuthFailure.EXPIRED, "not valid before " + c.nbf() + c.which());
    }
    if (now.plus(CLOCK_SKEW).isBefore(c.iat())) {
      return refused(AuthFailure.INVALID, "issued in the future (" + c.iat() + ")" + c.which());
    }
    Optional<String> jti = c.caller().tokenId();
    if (jti.isPresent() && revoked.isRevoked(jti.get())) {
      return refused(AuthFailure.INVALID, "revoked" + c.which());
    }
    return new Authentication.Verified(c.caller());
  }

  private static String cacheKey(String token) {
    try {
      return java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest
          .getInstance("SHA-256").digest(token.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * A token's header and claims as JSON objects, NOT verified (for {@code osapi-app token
   * inspect}).
   *
   * @throws IllegalArgumentException when {@code token} is not a compact signed JWT
   */
  public static Decoded decode(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token.strip());
      return new Decoded(jwt.getHeader().toJSONObject(), jwt.getJWTClaimsSet().toJSONObject());
    } catch (ParseException | RuntimeException e) {
      throw new IllegalArgumentException("not a signed JWT (three base64url parts, a JWS header"
          + " and JSON claims): " + e.getMessage());
    }
  }

  /** The parts of a token that {@link #decode} read. */
  public record Decoded(
      java.util.Map<String, Object> header, java.util.Map<String, Object> claims) {
  }

  /** The {@code alg} of a token's header, if it has a readable one, for a refusal's detail. */
  private static String algorithmOf(String token) {
    try {
      return "alg " + com.nimbusds.jose.Header.parse(
          com.nimbusds.jose.util.Base64URL.from(token.substring(0, token.indexOf('.'))))
          .getAlgorithm();
    } catch (ParseException | RuntimeException e) {
      return "unreadable header";
    }
  }

  /** A value from a token, cut and stripped of anything but safe characters, for the log. */
  static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return cut.replaceAll("[^A-Za-z0-9._:@/+=-]", "?");
  }

  private static Authentication refused(AuthFailure reason, String detail) {
    return new Authentication.Refused(reason, detail);
  }
}
