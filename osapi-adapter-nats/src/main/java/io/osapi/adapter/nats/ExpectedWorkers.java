package io.osapi.adapter.nats;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The expected workers of a broadcast job in its record and notification, kept compact when there
 * are many: up to {@value #PLAIN_MAX} as a JSON array ({@code "expected":[..]}), more as {@code
 * "expected_z"}, the ids joined by newlines, DEFLATE-compressed and Base64-encoded, with {@code
 * "expected_n"} their count. Sorted ids share long prefixes, so 20,000 ids of a fleet take tens of
 * kilobytes instead of a record larger than NATS's max payload (docs/performance.md).
 */
final class ExpectedWorkers {
  /** Most expected workers written as a plain array. */
  static final int PLAIN_MAX = 1000;

  /** Most expected workers read from one record (a bound for reading a hostile record). */
  static final int MAX = 1_000_000;

  /** Longest worker id, plus its separator. */
  private static final int MAX_ID_BYTES = 65;

  private ExpectedWorkers() {}

  /** Whether {@code expected} is written compressed. */
  static boolean compact(List<String> expected) {
    return expected.size() > PLAIN_MAX;
  }

  /** The {@code expected_z} text of {@code expected}. */
  static String encode(List<String> expected) {
    byte[] raw = String.join("\n", expected).getBytes(StandardCharsets.US_ASCII);
    Deflater d = new Deflater(Deflater.BEST_COMPRESSION, true);
    try {
      d.setInput(raw);
      d.finish();
      ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
      byte[] buf = new byte[16384];
      while (!d.finished()) {
        out.write(buf, 0, d.deflate(buf));
      }
      return Base64.getEncoder().encodeToString(out.toByteArray());
    } finally {
      d.end();
    }
  }

  /**
   * The ids of an {@code expected_z} text that says it holds {@code count}.
   *
   * @throws IllegalArgumentException when it is not such a text
   */
  static List<String> decode(String text, int count) {
    if (count < 1 || count > MAX) {
      throw new IllegalArgumentException("expected_n is " + count);
    }
    byte[] packed = Base64.getDecoder().decode(text);
    long cap = (long) count * MAX_ID_BYTES;
    Inflater inf = new Inflater(true);
    try {
      inf.setInput(packed);
      ByteArrayOutputStream out = new ByteArrayOutputStream(packed.length * 4);
      byte[] buf = new byte[16384];
      while (!inf.finished()) {
        int n = inf.inflate(buf);
        if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
          throw new IllegalArgumentException("expected_z is cut short");
        }
        if (out.size() + n > cap) {
          throw new IllegalArgumentException("expected_z holds more than " + count + " ids");
        }
        out.write(buf, 0, n);
      }
      String all = out.toString(StandardCharsets.US_ASCII);
      List<String> ids = new ArrayList<>(count);
      int from = 0;
      for (int i = 0; i <= all.length(); i++) {
        if (i == all.length() || all.charAt(i) == '\n') {
          ids.add(all.substring(from, i));
          from = i + 1;
        }
      }
      if (ids.size() != count) {
        throw new IllegalArgumentException("expected_z holds " + ids.size() + " ids, expected_n "
            + count);
      }
      return ids;
    } catch (DataFormatException e) {
      throw new IllegalArgumentException("expected_z is not DEFLATE data", e);
    } finally {
      inf.end();
    }
  }
}
