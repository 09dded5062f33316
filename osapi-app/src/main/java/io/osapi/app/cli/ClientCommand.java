package io.osapi.app.cli;

import io.osapi.app.api.ApiJson;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.client.ControllerException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Base of the job client commands: reaches the controller with the {@link ClientOptions} and turns
 * a failed call into one line on stderr and exit code 1.
 */
abstract class ClientCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ClientOptions client;

  @Override
  public final Integer call() throws Exception {
    ControllerClient c = client.client();
    try {
      return run(c);
    } catch (ControllerException e) {
      err().println("osapi-app: " + TerminalText.oneLine(e.getMessage())
          + (e.status() > 0 ? " (HTTP " + e.status() + ")" : ""));
      err().flush();
      return 1;
    }
  }

  /** Does the work; returns the exit code. */
  abstract int run(ControllerClient c) throws Exception;

  private PrintWriter out;
  private PrintWriter err;

  /** Standard output, with control characters escaped ({@link TerminalText}). */
  PrintWriter out() {
    if (out == null) {
      out = new PrintWriter(TerminalText.writer(spec.commandLine().getOut()), true);
    }
    return out;
  }

  /** Standard error, with control characters escaped ({@link TerminalText}). */
  PrintWriter err() {
    if (err == null) {
      err = new PrintWriter(TerminalText.writer(spec.commandLine().getErr()), true);
    }
    return err;
  }

  boolean json() {
    return client.json;
  }

  /** Prints {@code value} as indented JSON. */
  void printJson(Object value) throws Exception {
    out().println(ApiJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(value));
    out().flush();
  }
}
