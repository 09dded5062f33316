package io.osapi.app.config;

import io.osapi.core.audit.InMemoryAuditLog;
import java.time.Duration;
import java.util.Objects;

/**
 * Where the audit trail is kept and for how long (controller and all-in-one).
 *
 * @param retention how long a record is kept ({@code --audit-retention}): the max age of stream
 *     {@code AUDIT} on NATS, and of the embedded broker's ring; 1 h to 3650 days
 * @param embeddedCapacity records the embedded broker's ring keeps at most ({@code
 *     --embedded-audit-capacity}), the oldest going first
 */
public record AuditSettings(Duration retention, int embeddedCapacity) {
  /** The default retention: 30 days. */
  public static final Duration DEFAULT_RETENTION = Duration.ofDays(30);

  /** The shortest retention. */
  public static final Duration MIN_RETENTION = Duration.ofHours(1);

  /** The longest retention. */
  public static final Duration MAX_RETENTION = Duration.ofDays(3650);

  /** 30 days, and a ring of {@link InMemoryAuditLog#DEFAULT_CAPACITY} (100,000) records. */
  public static final AuditSettings DEFAULT =
      new AuditSettings(DEFAULT_RETENTION, InMemoryAuditLog.DEFAULT_CAPACITY);

  /** Checks both with a message naming the option. */
  public AuditSettings {
    Objects.requireNonNull(retention, "retention");
    if (retention.compareTo(MIN_RETENTION) < 0 || retention.compareTo(MAX_RETENTION) > 0) {
      throw new ConfigException("--audit-retention", "must be between 1h and 3650d, got "
          + Durations.format(retention));
    }
    if (embeddedCapacity < 1 || embeddedCapacity > InMemoryAuditLog.MAX_CAPACITY) {
      throw new ConfigException("--embedded-audit-capacity", "must be between 1 and "
          + InMemoryAuditLog.MAX_CAPACITY + ", got " + embeddedCapacity);
    }
  }
}
