package io.osapi.app.cli;

import io.osapi.app.config.ConfigException;
import io.osapi.core.memory.StoreLimits;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Option;

/** The size bound of the all-in-one process's embedded broker (without {@code --nats}). */
public final class EmbeddedOptions {
  /** Most jobs {@code --embedded-max-jobs} accepts. */
  static final long MAX_JOBS = 10_000_000;

  private static final Pattern SIZE = Pattern.compile("(\\d{1,13})([kmg]?)|(\\d{1,2}|100)%");

  @Option(
      names = "--embedded-max-jobs",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Without --nats: jobs the embedded broker keeps at most, 1 to 10000000; past"
          + " it new jobs get 507 until jobs expire (--job-ttl) or are deleted"
          + " (default: ${DEFAULT-VALUE}).")
  int maxJobs;

  @Option(
      names = "--embedded-max-bytes",
      paramLabel = "SIZE",
      defaultValue = "25%",
      description = "Without --nats: estimated bytes of jobs (records and runs) the embedded broker"
          + " keeps at most: a number of bytes with k, m or g (KiB, MiB, GiB), or a percentage of"
          + " the maximum heap (-Xmx), at least 1m; past it new jobs get 507"
          + " (default: ${DEFAULT-VALUE}).")
  String maxBytes;

  @Option(
      names = "--embedded-audit-capacity",
      paramLabel = "N",
      defaultValue = "100000",
      description = "Without --nats: audit records the embedded broker keeps at most, 1 to"
          + " 10000000; past it the oldest go (default: ${DEFAULT-VALUE}).")
  int auditCapacity;

  /**
   * The limits for a heap of {@code maxHeapBytes}.
   *
   * @throws ConfigException naming the option at fault
   */
  StoreLimits toLimits(long maxHeapBytes) {
    if (maxJobs < 1 || maxJobs > MAX_JOBS) {
      throw new ConfigException("--embedded-max-jobs",
          "must be between 1 and " + MAX_JOBS + ", got " + maxJobs);
    }
    return new StoreLimits(maxJobs, parseSize(maxBytes, maxHeapBytes));
  }

  /** {@code --embedded-max-bytes}: bytes, KiB, MiB, GiB or a percentage of the heap. */
  static long parseSize(String text, long maxHeapBytes) {
    String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new ConfigException("--embedded-max-bytes", "'" + text + "' is not a size: use"
          + " bytes with k, m or g (like 64m), or a percentage of the heap (like 25%)");
    }
    long bytes;
    if (m.group(3) != null) {
      long pct = Long.parseLong(m.group(3));
      if (pct < 1) {
        throw new ConfigException("--embedded-max-bytes", "must be at least 1%, got " + text);
      }
      bytes = maxHeapBytes / 100 * pct;
    } else {
      long n = Long.parseLong(m.group(1));
      int shift = switch (m.group(2)) {
        case "k" -> 10;
        case "m" -> 20;
        case "g" -> 30;
        default -> 0;
      };
      bytes = n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
    }
    if (bytes < (1L << 20)) {
      throw new ConfigException("--embedded-max-bytes", "must be at least 1m (1048576 bytes),"
          + " got " + text + (m.group(3) != null ? " of a " + (maxHeapBytes >> 20) + " MiB heap"
          : ""));
    }
    return bytes;
  }
}
