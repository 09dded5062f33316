package io.osapi.app.cli;

import io.osapi.app.config.AuditSettings;
import io.osapi.app.config.Durations;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How long the audit trail is kept (controller and all-in-one; workers never touch it). */
public final class AuditOptions {
  @Option(
      names = "--audit-retention",
      paramLabel = "DURATION",
      defaultValue = "30d",
      description = "How long an audit record is kept, 1h to 3650d: the max age of the NATS"
          + " stream AUDIT (owned by the controllers), or of the embedded broker's ring"
          + " (default: ${DEFAULT-VALUE}).")
  String retention;

  /** {@code --audit-retention}. @throws io.osapi.app.config.ConfigException naming it */
  Duration retention() {
    return Durations.parseAtMost("--audit-retention", retention,
        AuditSettings.MAX_RETENTION, "3650d");
  }

  /** The audit settings with the embedded ring's {@code capacity}. */
  AuditSettings toSettings(int capacity) {
    return new AuditSettings(retention(), capacity);
  }
}
