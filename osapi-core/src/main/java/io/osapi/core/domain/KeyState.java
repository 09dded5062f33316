package io.osapi.core.domain;

/** What an operator decided about the public key a worker announces. */
public enum KeyState {
  /** Announced, not decided on (or the worker announces another key than the one decided on). */
  PENDING("pending"),
  /** Accepted: run ends signed with it are that worker's answers. */
  ACCEPTED("accepted"),
  /** Rejected: run ends signed with it stay unverified. */
  REJECTED("rejected");

  private final String wire;

  KeyState(String wire) {
    this.wire = wire;
  }

  /** The name in JSON and on the command line. */
  public String wire() {
    return wire;
  }

  /** The state named {@code s}. */
  public static KeyState fromWire(String s) {
    for (KeyState k : values()) {
      if (k.wire.equals(s)) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown key state: " + s);
  }
}
