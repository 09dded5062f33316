package io.osapi.app.runtime;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers while the JVM shuts down. The JDK's own shutdown
 * hook resets logging, concurrently with {@link ShutdownHook}, which would silently drop what the
 * graceful stop logs (the worker draining, the connection closing). Selected with the system
 * property {@code java.util.logging.manager} before the first log call ({@code Main} does).
 */
public final class ShutdownSafeLogManager extends LogManager {
  /** Called reflectively by the JDK. */
  public ShutdownSafeLogManager() {}

  @Override
  public void reset() {
    if (shuttingDown()) {
      return; // the console handlers flush every record; nothing needs closing
    }
    super.reset();
  }

  private static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
