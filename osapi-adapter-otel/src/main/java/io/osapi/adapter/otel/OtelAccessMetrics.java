package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.port.AccessMetrics;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * {@link AccessMetrics} on the OpenTelemetry metrics API: {@code osapi_api_auth_failures_total}
 * (every reason exported from the start at 0), {@code osapi_audit_records_total} and {@code
 * osapi_audit_write_failures_total}. Never throws.
 */
public final class OtelAccessMetrics implements AccessMetrics {
  /** Instrument name of {@code osapi_api_auth_failures_total}. */
  public static final String AUTH_FAILURES = "osapi.api.auth.failures";

  /** Instrument name of {@code osapi_audit_records_total}. */
  public static final String AUDIT_RECORDS = "osapi.audit.records";

  /** Instrument name of {@code osapi_audit_write_failures_total}. */
  public static final String AUDIT_WRITE_FAILURES = "osapi.audit.write.failures";

  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  private final InternalErrors errors;
  private final LongCounter authFailures;
  private final LongCounter records;
  private final LongCounter writeFailures;
  private final Map<String, Attributes> reasons = new TreeMap<>();

  /** Creates the instruments on {@code meter}. */
  public OtelAccessMetrics(Meter meter) {
    this(meter, new InternalErrors());
  }

  OtelAccessMetrics(Meter meter, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    authFailures = meter.counterBuilder(AUTH_FAILURES)
        .setDescription("API requests refused at the edge, by reason (missing, invalid, expired"
            + " credential: 401; forbidden: 403).")
        .setUnit("{request}")
        .build();
    records = meter.counterBuilder(AUDIT_RECORDS)
        .setDescription("Audit records stored, one per audited request.")
        .setUnit("{record}")
        .build();
    writeFailures = meter.counterBuilder(AUDIT_WRITE_FAILURES)
        .setDescription("Audit records that could not be stored (the request refused with 503,"
            + " or its outcome left pending).")
        .setUnit("{record}")
        .build();
    for (String r : REASONS) {
      Attributes a = Attributes.of(REASON, r);
      reasons.put(r, a);
      authFailures.add(0, a);
    }
    records.add(0);
    writeFailures.add(0);
  }

  @Override
  public void authFailure(String reason) {
    try {
      Attributes a = reasons.get(reason);
      authFailures.add(1, a != null ? a : reasons.get("invalid"));
    } catch (Throwable t) {
      errors.swallow("authFailure", t);
    }
  }

  @Override
  public void auditRecorded() {
    try {
      records.add(1);
    } catch (Throwable t) {
      errors.swallow("auditRecorded", t);
    }
  }

  @Override
  public void auditWriteFailed() {
    try {
      writeFailures.add(1);
    } catch (Throwable t) {
      errors.swallow("auditWriteFailed", t);
    }
  }
}
