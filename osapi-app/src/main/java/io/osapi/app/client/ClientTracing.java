package io.osapi.app.client;

import io.osapi.app.config.TracingSettings;
import io.osapi.core.port.JobSpan;

/**
 * Starts the span a client command traces its calls under (the CLI's {@code job submit}): the
 * root of the job's trace, exported when the command ends. The OTel SDK behind it comes from the
 * wiring.
 */
@FunctionalInterface
public interface ClientTracing {

  /**
   * Starts the span {@code name}; {@link JobSpan#end()} ends it and waits (boundedly) for its
   * export.
   *
   * @param settings the tracing flags and environment
   * @return the span, or {@link JobSpan#noop()} when tracing is not configured
   * @throws io.osapi.app.config.ConfigException when the settings are not valid
   */
  JobSpan start(String name, TracingSettings settings);

  /** No tracing. */
  static ClientTracing none() {
    return (name, settings) -> JobSpan.noop();
  }
}
