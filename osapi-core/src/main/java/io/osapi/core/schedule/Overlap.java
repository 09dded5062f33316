package io.osapi.core.schedule;

import io.osapi.core.domain.InvalidInputException;

/** What a schedule does at a tick while the job of its previous tick has not ended. */
public enum Overlap {
  /** The tick is skipped (counted {@code skipped_overlap}). */
  SKIP("skip"),
  /** The tick fires anyway: jobs of several ticks may run at once. */
  ALLOW("allow");

  private final String wire;

  Overlap(String wire) {
    this.wire = wire;
  }

  /** The name in JSON and on the command line. */
  public String wire() {
    return wire;
  }

  /** The policy named {@code text} ({@code skip} or {@code allow}). */
  public static Overlap parse(String text) {
    for (Overlap o : values()) {
      if (o.wire.equals(text)) {
        return o;
      }
    }
    throw new InvalidInputException("overlap", "overlap must be skip or allow");
  }
}
