package io.osapi.app.auth;

import io.osapi.app.config.AuthSettings;
import io.osapi.app.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The {@link Authenticator} of the REST API: signed tokens ({@link TokenVerifier}) and the
 * break-glass static token ({@code --api-token-file}, {@link Caller#staticToken()}), either or
 * both. Built by {@link #builder()}; with neither configured the builder gives {@link
 * Authenticator#none()}.
 *
 * <p>Header forms: {@code Bearer <token>}, the scheme in any case. Every presented token is first
 * compared with the static token (hashes compared in constant time, so neither timing nor length
 * tells how close a guess was; a static token that happens to look like a JWT still works); a
 * token shaped like a JWT (three base64url parts separated by dots) then goes to the verifier.
 */
public final class ApiAuthenticator implements Authenticator {
  private static final System.Logger LOG = System.getLogger(ApiAuthenticator.class.getName());
  private static final String SCHEME = "Bearer";
  /** The static token's holder, made once (a caller is immutable). */
  private static final Authentication STATIC = new Authentication.Verified(Caller.staticToken());
  private static final Pattern JWT_SHAPE =
      Pattern.compile("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*");

  private final byte[] staticHash;
  private final TokenVerifier verifier;

  private ApiAuthenticator(byte[] staticHash, TokenVerifier verifier) {
    this.staticHash = staticHash;
    this.verifier = verifier;
  }

  /** A builder with nothing configured. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The authenticator of the API settings: the static token, and the key file, deny list and
   * custom roles of {@code auth} (files read now).
   *
   * @throws io.osapi.app.config.ConfigException naming the option whose file is not usable
   */
  public static Authenticator fromSettings(Optional<Secret> staticToken, AuthSettings auth,
      Clock clock) {
    Builder b = builder().clock(clock).roles(Roles.withCustom(auth.customRoles()));
    staticToken.ifPresent(b::staticToken);
    auth.tokenKeyFile().ifPresent(f -> {
      TokenKeys keys = TokenKeys.readFile(AuthSettings.KEY_FILE_OPTION, f);
      if (keys.holdsPrivateKey()) {
        LOG.log(System.Logger.Level.WARNING, AuthSettings.KEY_FILE_OPTION + " " + f
            + " holds a private key: this host could sign API tokens; give it the public key"
            + " only (the .pub file of osapi-app token keygen)");
      }
      b.tokenKeys(keys);
    });
    auth.revokedFile().ifPresent(f ->
        b.revocations(RevocationList.watching(AuthSettings.REVOKED_FILE_OPTION, f)));
    Authenticator a = b.build();
    LOG.log(System.Logger.Level.INFO, b.describe());
    return a;
  }

  @Override
  public Authentication authenticate(String header) {
    if (header == null || header.isBlank()) {
      return new Authentication.Refused(AuthFailure.MISSING, "no Authorization header");
    }
    String h = header.strip();
    if (!h.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return new Authentication.Refused(AuthFailure.INVALID, "Authorization scheme is not Bearer");
    }
    String token = h.substring(SCHEME.length());
    if (token.isEmpty()) {
      return new Authentication.Refused(AuthFailure.MISSING, "Bearer without a token");
    }
    if (token.charAt(0) != ' ' && token.charAt(0) != '\t') {
      return new Authentication.Refused(AuthFailure.INVALID, "Authorization scheme is not Bearer");
    }
    token = token.strip();
    if (token.isEmpty()) {
      return new Authentication.Refused(AuthFailure.MISSING, "Bearer without a token");
    }
    if (staticHash != null && MessageDigest.isEqual(staticHash, sha256(token))) {
      return STATIC;
    }
    if (token.length() > TokenVerifier.MAX_TOKEN_CHARS) {
      return new Authentication.Refused(AuthFailure.INVALID, "token longer than "
          + TokenVerifier.MAX_TOKEN_CHARS + " characters");
    }
    if (JWT_SHAPE.matcher(token).matches()) {
      return verifier != null ? verifier.verify(token)
          : new Authentication.Refused(AuthFailure.INVALID,
              "a signed token, but no --api-token-key-file is configured");
    }
    return new Authentication.Refused(AuthFailure.INVALID, "unknown token");
  }

  @Override
  public boolean required() {
    return true;
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** Collects the credentials; {@link #build()} checks that they make sense together. */
  public static final class Builder {
    private Secret staticToken;
    private TokenKeys keys;
    private RevocationList revoked = RevocationList.none();
    private Roles roles = Roles.builtIn();
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** Accept this break-glass token as {@link Caller#staticToken()}. */
    public Builder staticToken(Secret token) {
      this.staticToken = Objects.requireNonNull(token, "token");
      return this;
    }

    /** Accept tokens signed by these keys. */
    public Builder tokenKeys(TokenKeys k) {
      this.keys = Objects.requireNonNull(k, "keys");
      return this;
    }

    /** Refuse tokens whose {@code jti} this list holds (default: none). */
    public Builder revocations(RevocationList r) {
      this.revoked = Objects.requireNonNull(r, "revocations");
      return this;
    }

    /** What roles grant (default: {@link Roles#builtIn()}). */
    public Builder roles(Roles r) {
      this.roles = Objects.requireNonNull(r, "roles");
      return this;
    }

    /** The clock tokens are checked against (default: the system clock). */
    public Builder clock(Clock c) {
      this.clock = Objects.requireNonNull(c, "clock");
      return this;
    }

    /** The authenticator; {@link Authenticator#none()} when no credential is configured. */
    public Authenticator build() {
      if (staticToken == null && keys == null) {
        return Authenticator.none();
      }
      return new ApiAuthenticator(staticToken == null ? null : sha256(staticToken.value()),
          keys == null ? null : new TokenVerifier(keys, roles, revoked, clock));
    }

    /**
     * For the start-up log: which credentials are accepted, never their values; such as {@code
     * API tokens: ES256 keys a,b (deny list /etc/osapi/revoked, 2 ids); static token accepted as
     * subject static-token (admin)}.
     */
    public String describe() {
      if (staticToken == null && keys == null) {
        return "API tokens: none configured: every request is accepted as "
            + Caller.ANONYMOUS_SUBJECT + " (keep the API on loopback)";
      }
      List<String> parts = new ArrayList<>();
      if (keys != null) {
        parts.add("signed tokens " + keys.describe()
            + revoked.file().map(f -> " (deny list " + f + ", " + revoked.size() + " ids)")
                .orElse(""));
      } else {
        parts.add("no signed tokens (no " + AuthSettings.KEY_FILE_OPTION + ")");
      }
      parts.add(staticToken != null
          ? "static token accepted as subject " + Caller.STATIC_SUBJECT + " (admin)"
          : "no static token");
      List<String> custom = roles.names().stream().filter(r -> !Roles.isBuiltIn(r)).toList();
      if (!custom.isEmpty()) {
        parts.add("custom roles " + String.join(",", custom));
      }
      return "API tokens: " + String.join("; ", parts);
    }
  }
}
