package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import java.time.Duration;

/** The label rules the OTel metrics classes share. */
final class Labels {
  /** The label value for anything outside the bounded set. */
  static final String OTHER = "other";

  static final AttributeKey<String> WORKER = AttributeKey.stringKey("worker");

  private static final int MAX_LABEL_LENGTH = 64;

  private Labels() {}

  /**
   * Whether {@code s} may become a label value of its own: 1 to 64 characters of {@code
   * [A-Za-z0-9._-]} starting with a letter or digit (the worker id rule of the core).
   */
  static boolean isValidLabel(String s) {
    int n = s.length();
    if (n == 0 || n > MAX_LABEL_LENGTH) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      boolean alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) {
        return false;
      }
    }
    return true;
  }

  /** {@code d} in seconds, 0 for a negative duration. */
  static double seconds(Duration d) {
    if (d.isNegative()) {
      return 0.0;
    }
    return d.getSeconds() + d.getNano() / 1_000_000_000.0;
  }
}
