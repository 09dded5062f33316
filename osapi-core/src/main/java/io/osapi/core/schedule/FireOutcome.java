package io.osapi.core.schedule;

/** What became of one tick of a schedule: the values of {@code osapi_schedule_fires_total{outcome}}. */
public enum FireOutcome {
  /** Its job was created. */
  FIRED("fired"),
  /** Skipped: the job of the previous tick had not ended and the overlap policy is skip. */
  SKIPPED_OVERLAP("skipped_overlap"),
  /** Not fired: no controller ran within its catch-up window, or a later tick was due as well. */
  MISSED("missed"),
  /** Its job was refused (an operation no longer allowed, a target no worker has). */
  FAILED("failed");

  private final String wire;

  FireOutcome(String wire) {
    this.wire = wire;
  }

  /** The name in JSON and in the metric's label. */
  public String wire() {
    return wire;
  }

  /** The outcome named {@code text}. */
  public static FireOutcome fromWire(String text) {
    for (FireOutcome o : values()) {
      if (o.wire.equals(text)) {
        return o;
      }
    }
    throw new IllegalArgumentException("unknown fire outcome: " + text);
  }
}
