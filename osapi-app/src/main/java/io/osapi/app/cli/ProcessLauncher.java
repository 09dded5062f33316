package io.osapi.app.cli;

import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.AppProcess;

/** Builds the process for validated settings (the wiring's component factory in production). */
@FunctionalInterface
public interface ProcessLauncher {
  /**
   * Builds, but does not start, the process.
   *
   * @throws io.osapi.app.config.ConfigException when the settings cannot work together
   */
  AppProcess create(ProcessSettings settings);
}
