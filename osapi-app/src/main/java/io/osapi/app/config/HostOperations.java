package io.osapi.app.config;

import io.osapi.core.operations.HostLimits;
import java.util.Objects;

/**
 * The worker's settings of the privileged host operations ({@code command.exec}, {@code
 * shell.exec}, {@code file.deploy}, {@code file.get}).
 *
 * @param limits the environment names a job may set and the output kept ({@code --allow-env},
 *     {@code --output-cap-bytes})
 * @param enabled whether this worker runs them at all ({@code --allow-host-operations}, off by
 *     default); a stop-gap until the worker's operation allow-list ({@code --allow-operations})
 *     replaces it
 */
public record HostOperations(HostLimits limits, boolean enabled) {
  /** Checks for nulls. */
  public HostOperations {
    Objects.requireNonNull(limits, "limits");
  }

  /** The default limits, not enabled. */
  public static HostOperations defaults() {
    return new HostOperations(HostLimits.defaults(), false);
  }
}
