package io.osapi.app.cli;

import io.osapi.app.config.ConfigException;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.runtime.AppProcess;
import io.osapi.app.runtime.ShutdownHook;
import io.osapi.core.domain.WorkerIdInUseException;
import java.io.PrintWriter;

/**
 * Runs a server process from the command line: builds and starts it, prints where it listens,
 * installs the shutdown hook and waits until it has stopped.
 */
final class ServerRunner {
  private ServerRunner() {}

  /**
   * @return 0 after a clean stop, 1 when the process could not start, 2 when its worker id is
   *     held by another live process
   * @throws ConfigException when a setting turns out not to work (an address in use)
   */
  static int run(ProcessLauncher launcher, ProcessSettings settings, PrintWriter out,
      PrintWriter err) throws InterruptedException {
    AppProcess process = launcher.create(settings);
    try {
      process.start();
    } catch (ConfigException e) {
      throw e;
    } catch (WorkerIdInUseException e) {
      err.println("osapi-app: the " + settings.kind().label() + " cannot start: " + e.getMessage());
      err.flush();
      return 2;
    } catch (Exception e) {
      err.println("osapi-app: the " + settings.kind().label() + " cannot start: " + e.getMessage());
      err.flush();
      return 1;
    }
    new ShutdownHook(process, System.out).install();
    StringBuilder banner = new StringBuilder("osapi ").append(settings.kind().label())
        .append(" running (SIGTERM or Ctrl-C to stop)").append(System.lineSeparator());
    for (String line : process.describe()) {
      banner.append("  ").append(line).append(System.lineSeparator());
    }
    out.print(banner);
    out.flush();
    process.awaitStopped();
    return 0;
  }
}
