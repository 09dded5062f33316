package io.osapi.app.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code osapi-app job ...}: the job client commands against a running controller. */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Submits and inspects jobs on a running controller.",
    subcommands = {
      JobSubmitCommand.class,
      JobGetCommand.class,
      JobListCommand.class,
      JobRetryCommand.class,
      JobCancelCommand.class,
      JobDeleteCommand.class
    })
public final class JobCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("osapi-app: job needs a command: submit, get, list, retry,"
        + " cancel or delete (see osapi-app job --help)");
    return CommandLine.ExitCode.USAGE;
  }
}
