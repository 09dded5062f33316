package io.osapi.core.domain;

import java.util.regex.Pattern;

/** Name rules shared by targets, worker ids and NATS subject tokens: the one sanitiser. */
public final class Names {
  private static final Pattern UNSAFE = Pattern.compile("[^A-Za-z0-9_-]");
  /**
   * Dot-separated segments of {@code [A-Za-z0-9_-]}, the first starting with a letter or digit:
   * every segment is a non-empty NATS subject token, so keys and subjects built from an id are
   * valid (no trailing dot, no {@code ..}). The length is checked apart.
   */
  private static final Pattern WORKER_ID =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]*(?:\\.[A-Za-z0-9_-]+)*");

  /** Longest worker id. */
  public static final int MAX_WORKER_ID = 64;
  private static final Pattern LABEL_KEY = Pattern.compile("[a-z][a-z0-9_-]{0,31}");
  private static final Pattern LABEL_SEGMENT = Pattern.compile("[A-Za-z0-9_-]{1,63}");

  /** Maximum number of dot-separated segments in a label value. */
  public static final int MAX_LABEL_DEPTH = 8;

  private Names() {}

  /**
   * Replaces every character outside {@code [A-Za-z0-9_-]} with {@code _}, so the result is one
   * safe NATS subject token and KV key token.
   */
  public static String sanitise(String raw) {
    return UNSAFE.matcher(raw).replaceAll("_");
  }

  /**
   * Checks a worker (host) id: 1 to 64 characters of {@code [A-Za-z0-9._-]}, starting with a
   * letter or digit, with dots only between other characters (no trailing dot, no {@code ..}), so
   * each dot-separated part is a valid NATS subject token and every run key, subject and durable
   * built from the id is valid.
   *
   * @throws InvalidInputException naming {@code field} when it is not valid
   */
  public static String requireWorkerId(String field, String id) {
    if (id == null || id.isEmpty()) {
      throw new InvalidInputException(field, field + " must not be empty");
    }
    if (id.length() > MAX_WORKER_ID || !WORKER_ID.matcher(id).matches()) {
      throw new InvalidInputException(
          field,
          field
              + " '"
              + abbreviate(id, 70)
              + "' is not a valid worker id: use 1 to 64 characters of A-Z a-z 0-9 . _ -,"
              + " starting with a letter or digit, with dots only between other characters"
              + " (no trailing dot, no '..')");
    }
    return id;
  }

  /** Checks a label key: 1 to 32 of {@code [a-z0-9_-]}, starting with a lowercase letter. */
  public static String requireLabelKey(String field, String key) {
    if (key == null || !LABEL_KEY.matcher(key).matches()) {
      throw new InvalidInputException(
          field,
          field
              + " key '"
              + abbreviate(String.valueOf(key), 40)
              + "' is not valid: use 1 to 32 characters of a-z 0-9 _ -, starting with a letter");
    }
    return key;
  }

  /**
   * Checks a label value: dot-separated segments of {@code [A-Za-z0-9_-]}, at most {@value
   * #MAX_LABEL_DEPTH} segments.
   */
  public static String requireLabelValue(String field, String value) {
    if (value == null || value.isEmpty()) {
      throw new InvalidInputException(field, field + " value must not be empty");
    }
    String[] segments = value.split("\\.", -1);
    if (segments.length > MAX_LABEL_DEPTH) {
      throw new InvalidInputException(
          field, field + " value has more than " + MAX_LABEL_DEPTH + " dot-separated segments");
    }
    for (String s : segments) {
      if (!LABEL_SEGMENT.matcher(s).matches()) {
        throw new InvalidInputException(
            field,
            field
                + " value '"
                + abbreviate(value, 70)
                + "' is not valid: use dot-separated segments of A-Z a-z 0-9 _ -");
      }
    }
    return value;
  }

  /** Shortens {@code s} to at most {@code max} characters for messages, marking the cut. */
  public static String abbreviate(String s, int max) {
    if (s == null) {
      return "null";
    }
    return s.length() <= max ? s : s.substring(0, max) + "...";
  }
}
