package io.osapi.adapter.nats;

/**
 * The adapter's one reader of plain decimal numbers inside a string (timestamps of records, the
 * tokens of an ack subject), without making substrings or catching exceptions on the hot path.
 */
final class Digits {
  private Digits() {}

  /**
   * The decimal number in {@code s[from, to)}: -1 when the range is empty, holds anything but the
   * digits 0 to 9, or does not fit a long.
   */
  static long parse(CharSequence s, int from, int to) {
    if (to <= from || to - from > 19) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
      if (v < 0) {
        return -1; // past Long.MAX_VALUE (19 digits)
      }
    }
    return v;
  }
}
