package io.osapi.app.cli;

import io.osapi.app.client.ControllerClient;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code osapi-app job delete ID}: removes a job with its events and results. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Deletes a job with its events and results.")
public final class JobDeleteCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The job to delete.")
  String id;

  @Override
  int run(ControllerClient c) throws Exception {
    c.delete(id);
    if (json()) {
      printJson(Map.of("job_id", id, "deleted", true));
    } else {
      out().println("job " + id + " deleted");
      out().flush();
    }
    return 0;
  }
}
