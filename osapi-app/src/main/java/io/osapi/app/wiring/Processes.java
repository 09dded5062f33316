package io.osapi.app.wiring;

import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.AppProcess;

/** Builds the process of a deployable from its settings, through its root component. */
public final class Processes {
  private Processes() {}

  /** The controller, worker or all-in-one process of {@code settings}, not started. */
  public static AppProcess create(ProcessSettings settings) {
    LogLines.install(settings.metrics().logFormat());
    SignatureProvider.installInBackground(); // the JDK's signs until it is in
    return switch (settings.kind()) {
      case CONTROLLER -> DaggerControllerComponent.builder().settings(settings).build().process();
      case WORKER -> DaggerWorkerComponent.builder().settings(settings).build().process();
      case ALL_IN_ONE -> DaggerAllInOneComponent.builder().settings(settings).build().process();
    };
  }
}
