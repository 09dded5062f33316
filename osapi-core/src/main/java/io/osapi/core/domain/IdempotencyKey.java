package io.osapi.core.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An idempotency key as a caller sent it: 1 to {@value #MAX_CHARS} printable ASCII characters
 * (the IETF httpapi draft's key is a string; longer or other keys are refused).
 *
 * @param value the key
 */
public record IdempotencyKey(String value) {
  /** The longest key. */
  public static final int MAX_CHARS = 255;

  /** The field an invalid key is reported under. */
  public static final String FIELD = "Idempotency-Key";

  /** @throws InvalidInputException for an empty, too long or non-printable key */
  public IdempotencyKey {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new InvalidInputException(FIELD, "Idempotency-Key must not be empty");
    }
    if (value.length() > MAX_CHARS) {
      throw new InvalidInputException(FIELD, "Idempotency-Key is longer than " + MAX_CHARS
          + " characters");
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c > 0x7e) {
        throw new InvalidInputException(FIELD,
            "Idempotency-Key must be printable ASCII characters");
      }
    }
  }

  /**
   * The name this key is kept under for the caller {@code subject}: 64 hex digits of SHA-256 over
   * both, so that one caller's key is never another's (no replay, no probe) and the name is one
   * token in any store.
   */
  public String storeKey(String subject) {
    return sha256(Objects.requireNonNull(subject, "subject") + "\n" + value);
  }

  /** The SHA-256 of {@code text}'s UTF-8 bytes, in lowercase hex. */
  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has SHA-256", e);
    }
  }

  @Override
  public String toString() {
    return "IdempotencyKey[" + value.length() + " chars]";
  }
}
