package io.osapi.core.memory;

import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.TimelineEntry;
import java.util.List;

/**
 * Estimated heap of stored values, for {@link StoreLimits}: two bytes per character of their text
 * (an upper bound for Java's strings) plus a fixed overhead per object graph part.
 */
final class Sizes {
  /** A record with its job, operation, id, target, instants, lists and map entries. */
  static final long RECORD = 512;
  /** A run with its instants and list. */
  static final long RUN = 256;
  /** A timeline entry with its instant. */
  static final long ENTRY = 96;
  /** An expected worker's string and list slot. */
  static final long WORKER = 48;

  private Sizes() {}

  static long of(JobRecord r) {
    long n = RECORD + chars(r.job().operation().type()) + chars(r.job().operation().data())
        + chars(r.job().target().text()) + timeline(r.timeline());
    for (String w : r.expected()) {
      n += WORKER + chars(w);
    }
    return n;
  }

  static long of(Run r) {
    return RUN + chars(r.worker()) + chars(r.result()) + chars(r.error()) + timeline(r.timeline());
  }

  private static long timeline(List<TimelineEntry> t) {
    long n = 0;
    for (TimelineEntry e : t) {
      n += ENTRY + chars(e.event()) + chars(e.worker()) + chars(e.message()) + chars(e.error());
    }
    return n;
  }

  private static long chars(String s) {
    return s == null ? 0 : 2L * s.length();
  }
}
