package io.osapi.app;

import io.osapi.app.cli.Cli;
import io.osapi.app.http.HttpLimits;
import io.osapi.app.runtime.OutOfMemoryExit;
import io.osapi.app.runtime.ShutdownSafeLogManager;
import io.osapi.app.wiring.OtelClientTracing;
import io.osapi.app.wiring.Processes;
import java.io.PrintWriter;
import java.nio.charset.Charset;

/**
 * The entry point of {@code osapi-app.jar}: the all-in-one process without arguments, the
 * controller, a worker, or the job client commands.
 */
public final class Main {
  private Main() {}

  /** Runs the command line and exits with its code (servers run until SIGTERM/SIGINT). */
  public static void main(String[] args) {
    OutOfMemoryExit.install();
    // JVM-wide, read by the JDK when the first HttpServer is created: set once, before any
    HttpLimits.apply();
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", ShutdownSafeLogManager.class.getName());
    }
    if (System.getProperty("java.util.logging.SimpleFormatter.format") == null) {
      System.setProperty(
          "java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tL %4$s %3$s: %5$s%6$s%n");
    }
    Charset cs = Charset.defaultCharset();
    PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(System.out, cs), true);
    PrintWriter err = new PrintWriter(new java.io.OutputStreamWriter(System.err, cs), true);
    int code = new Cli(Processes::create, new OtelClientTracing(), System.getenv())
        .run(args, out, err);
    System.exit(code);
  }
}
