package io.osapi.app.config;

import io.osapi.core.operations.HostLimits;
import java.util.Objects;

/**
 * The worker's settings of the privileged host operations ({@code command.exec}, {@code
 * shell.exec}, {@code file.deploy}, {@code file.get}).
 *
 * <p>Whether a worker runs them at all is its operation allow-list's say ({@code
 * --allow-operations}: privileged operations only when named), after the job's signature.
 *
 * @param limits the environment names a job may set and the output kept ({@code --allow-env},
 *     {@code --output-cap-bytes})
 */
public record HostOperations(HostLimits limits) {
  /** Checks for nulls. */
  public HostOperations {
    Objects.requireNonNull(limits, "limits");
  }

  /** The default limits. */
  public static HostOperations defaults() {
    return new HostOperations(HostLimits.defaults());
  }
}
