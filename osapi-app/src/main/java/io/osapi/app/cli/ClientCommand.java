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
      err().println("osapi-app: " + e.getMessage()
          + (e.status() > 0 ? " (HTTP " + e.status() + ")" : ""));
      err().flush();
      return 1;
    }
  }

  /** Does the work; returns the exit code. */
  abstract int run(ControllerClient c) throws Exception;

  PrintWriter out() {
    return spec.commandLine().getOut();
  }

  PrintWriter err() {
    return spec.commandLine().getErr();
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
