package io.osapi.app.cli;

import io.osapi.app.api.ApiModel.CreatedJob;
import io.osapi.app.client.ControllerClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code osapi-app job retry ID}: runs a job's operation again as a new job. */
@Command(
    name = "retry",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Creates a new job with the same operation, to the same or another target.")
public final class JobRetryCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The job to retry.")
  String id;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "Another target (default: the original job's).")
  String target;

  @Override
  int run(ControllerClient c) throws Exception {
    CreatedJob created = c.retry(id, target);
    if (json()) {
      printJson(created);
    } else {
      out().println("job " + created.jobId() + " submitted (retry of " + id + ")");
      out().flush();
    }
    return 0;
  }
}
