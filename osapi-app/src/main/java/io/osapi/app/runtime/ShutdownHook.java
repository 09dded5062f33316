package io.osapi.app.runtime;

import java.io.PrintStream;
import java.util.Objects;

/**
 * The JVM shutdown hook of a server process: on SIGTERM or SIGINT it stops the process gracefully
 * (API, worker drain, deregistration, metrics flush, backend close) and then ends the JVM with exit
 * code 0. When the process had already stopped (a normal exit), it does nothing, so the exit code
 * stays the one given to {@code System.exit}.
 */
public final class ShutdownHook {
  private final AppProcess process;
  private final PrintStream out;

  /**
   * @param process the process to stop
   * @param out where the one-line stop notice goes
   */
  public ShutdownHook(AppProcess process, PrintStream out) {
    this.process = Objects.requireNonNull(process, "process");
    this.out = Objects.requireNonNull(out, "out");
  }

  /** Registers the hook with the JVM. */
  public void install() {
    Runtime.getRuntime().addShutdownHook(new Thread(this::run, "osapi-shutdown"));
  }

  private void run() {
    if (!process.isRunning()) {
      return;
    }
    out.println("osapi " + process.kind().label() + ": shutting down");
    out.flush();
    if (process.stop()) {
      out.println("osapi " + process.kind().label() + ": stopped");
      out.flush();
      System.err.flush();
      Runtime.getRuntime().halt(0);
    }
  }
}
