package io.osapi.core.audit;

import io.osapi.core.domain.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The cursor of an {@link AuditPage}, for the implementations of {@link AuditLog}: a position in
 * the log's append order (the records older than a page are those appended before it), written
 * as an opaque token ({@code "audit:" + position} in unpadded base64url) and checked when read
 * back.
 */
public final class AuditCursor {
  private static final String PREFIX = "audit:";
  private static final int MAX_LENGTH = 64;

  private AuditCursor() {}

  /** The cursor of the records appended before {@code position} (1 or more). */
  public static String before(long position) {
    if (position < 1) {
      throw new IllegalArgumentException("audit cursor position must be positive: " + position);
    }
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString((PREFIX + position).getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * The position of a cursor made by {@link #before}.
   *
   * @throws InvalidInputException (field {@code cursor}) for anything else
   */
  public static long position(String cursor) {
    if (cursor == null || cursor.isEmpty() || cursor.length() > MAX_LENGTH) {
      throw bad();
    }
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw bad();
    }
    if (!text.startsWith(PREFIX)) {
      throw bad();
    }
    String digits = text.substring(PREFIX.length());
    if (digits.isEmpty() || digits.length() > 18 || !digits.chars().allMatch(Character::isDigit)
        || digits.startsWith("0")) {
      throw bad();
    }
    long p = Long.parseLong(digits);
    if (!before(p).equals(cursor)) {
      throw bad(); // one spelling per position
    }
    return p;
  }

  private static InvalidInputException bad() {
    return new InvalidInputException("cursor", "not a cursor of the audit trail: pass the"
        + " 'next' of the previous page as it was given");
  }
}
