package io.osapi.app.api;

import io.osapi.app.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;

/**
 * Checks {@code Authorization: Bearer <token>} against the configured token. Both sides are
 * hashed with SHA-256 and compared with {@link MessageDigest#isEqual}, so the time taken says
 * nothing about how much of the token was right, nor about its length.
 */
public final class BearerAuth {
  private static final String PREFIX = "Bearer ";
  private final byte[] expected;

  /** @param token the token requests must carry, or empty to let every request through */
  public BearerAuth(Optional<Secret> token) {
    this.expected = token.map(t -> sha256(t.value())).orElse(null);
  }

  /** True when a token is configured. */
  public boolean enabled() {
    return expected != null;
  }

  /**
   * Whether a request with this {@code Authorization} header value may pass.
   *
   * @param header the header value, or null when absent
   */
  public boolean allows(String header) {
    if (expected == null) {
      return true;
    }
    if (header == null || header.length() <= PREFIX.length()
        || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    byte[] presented = sha256(header.substring(PREFIX.length()).trim());
    return MessageDigest.isEqual(expected, presented);
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
