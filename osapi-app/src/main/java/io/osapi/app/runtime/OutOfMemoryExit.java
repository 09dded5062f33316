package io.osapi.app.runtime;

import java.io.PrintStream;
import java.util.function.IntConsumer;

/**
 * Ends the process when an {@link OutOfMemoryError} reaches the top of a thread, instead of
 * leaving a process that is alive but answers nothing (its HTTP, NATS and worker threads died one
 * by one). The exit code is {@value #EXIT_CODE}, the one the JVM's own {@code
 * -XX:+ExitOnOutOfMemoryError} uses; that flag also catches an error that some code catches and
 * swallows, so the service manager should pass it as well (operations.md).
 *
 * <p>The process halts ({@link Runtime#halt}) rather than exits: shutdown hooks could need memory
 * that is not there, and the broker keeps what was acknowledged; unfinished jobs come back after
 * their ack wait.
 */
public final class OutOfMemoryExit {
  /** The exit code after an {@link OutOfMemoryError}. */
  public static final int EXIT_CODE = 3;

  private OutOfMemoryExit() {}

  /** Installs the handler as the JVM's default, keeping the previous one for other errors. */
  public static void install() {
    Thread.setDefaultUncaughtExceptionHandler(
        handler(Thread.getDefaultUncaughtExceptionHandler(), System.err,
            code -> Runtime.getRuntime().halt(code)));
  }

  /**
   * The handler: halts with {@value #EXIT_CODE} on an {@link OutOfMemoryError} (after one line on
   * {@code err}), hands anything else to {@code previous} (or prints it as the JVM would).
   */
  static Thread.UncaughtExceptionHandler handler(
      Thread.UncaughtExceptionHandler previous, PrintStream err, IntConsumer halt) {
    return (thread, e) -> {
      if (e instanceof OutOfMemoryError) {
        try {
          err.println("osapi-app: out of memory in thread " + thread.getName() + " ("
              + e.getMessage() + "); exiting with code " + EXIT_CODE);
          err.flush();
        } catch (Throwable ignored) {
          // nothing left to say it with
        } finally {
          halt.accept(EXIT_CODE);
        }
        return;
      }
      if (previous != null) {
        previous.uncaughtException(thread, e);
      } else {
        err.print("Exception in thread \"" + thread.getName() + "\" ");
        e.printStackTrace(err);
      }
    };
  }
}
