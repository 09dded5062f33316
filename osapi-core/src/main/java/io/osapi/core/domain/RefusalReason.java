package io.osapi.core.domain;

/**
 * Why a worker refused a job without running it (each failed once, dead-lettered, never retried).
 */
public enum RefusalReason {
  /** The worker's allow-list ({@code --allow-operations}) does not name the operation. */
  NOT_ALLOWED("not_allowed"),
  /** A privileged job whose signature is missing, wrong, expired or for another target. */
  BAD_SIGNATURE("bad_signature");

  private final String wire;

  RefusalReason(String wire) {
    this.wire = wire;
  }

  /** The label value and wire form: {@code not_allowed}, {@code bad_signature}. */
  public String wire() {
    return wire;
  }
}
