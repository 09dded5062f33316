package io.osapi.core.operations;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A small watchdog shell outside a run's session that ends the run's process group when the
 * worker's JVM dies without ending it (SIGKILL, the OOM killer): it waits on a pipe from the JVM,
 * and end of file without a prior "done" means the JVM is gone. It ignores SIGINT, SIGTERM and
 * SIGHUP so that a signal to the worker's own process group (Ctrl-C) does not take it first. It
 * reaches the run's process group only, not a process that left it (the worker's own end of a
 * run, {@link ProcessTree}, covers those).
 */
final class Lifeline implements AutoCloseable {
  private static final String SCRIPT = "trap '' INT TERM HUP; read x;"
      + " [ \"$x\" = done ] && exit 0;"
      + " kill -TERM -\"$1\" 2>/dev/null; sleep \"$2\"; kill -KILL -\"$1\" 2>/dev/null";

  private final Process watchdog;

  private Lifeline(Process watchdog) {
    this.watchdog = watchdog;
  }

  /**
   * Starts the watchdog of process group {@code pgid}.
   *
   * @throws IOException when {@code /bin/sh} cannot be started
   */
  static Lifeline start(long pgid, Duration grace) throws IOException {
    ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", SCRIPT, "osapi-lifeline",
        Long.toString(pgid), Long.toString(Math.max(1, grace.toSeconds()))));
    pb.environment().clear();
    pb.environment().put("PATH", CommandRunner.DEFAULT_PATH);
    pb.directory(new File("/"));
    pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.redirectError(ProcessBuilder.Redirect.DISCARD);
    return new Lifeline(pb.start());
  }

  /** The watchdog's pid. */
  long pid() {
    return watchdog.pid();
  }

  /** Tells the watchdog the run ended here: it exits without signalling anything. */
  @Override
  public void close() {
    try (OutputStream o = watchdog.getOutputStream()) {
      o.write("done\n".getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // it is gone already
    }
    try {
      if (!watchdog.waitFor(2, java.util.concurrent.TimeUnit.SECONDS)) {
        watchdog.destroyForcibly();
      }
    } catch (InterruptedException e) {
      watchdog.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
