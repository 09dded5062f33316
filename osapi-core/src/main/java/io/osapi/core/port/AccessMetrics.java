package io.osapi.core.port;

/**
 * Where the API's edge reports who was turned away and how the audit trail fares, for metrics:
 * {@code osapi_api_auth_failures_total{reason}}, {@code osapi_audit_records_total} and {@code
 * osapi_audit_write_failures_total}.
 *
 * <p>Implementations must never throw and never block on I/O. Use {@link #noop()} when metrics are
 * not wanted.
 */
public interface AccessMetrics {
  /** The reasons {@link #authFailure} takes: the only values of the {@code reason} label. */
  java.util.Set<String> REASONS = java.util.Set.of("missing", "invalid", "expired", "forbidden");

  /**
   * A request refused at the edge.
   *
   * @param reason one of {@link #REASONS}; anything else is counted as {@code invalid}
   */
  void authFailure(String reason);

  /** An audit record stored (pending and final count once together: one per request). */
  void auditRecorded();

  /** An audit record that could not be stored (its request refused with 503, or left pending). */
  void auditWriteFailed();

  /** An {@link AccessMetrics} that records nothing. */
  static AccessMetrics noop() {
    return Noop.INSTANCE;
  }

  /** The no-op implementation behind {@link #noop()}. */
  enum Noop implements AccessMetrics {
    /** The only instance. */
    INSTANCE;

    @Override
    public void authFailure(String reason) {}

    @Override
    public void auditRecorded() {}

    @Override
    public void auditWriteFailed() {}
  }
}
