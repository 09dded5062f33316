package io.osapi.app.cli;

import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.config.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code osapi-app job cancel ID}: cancels a job that has not ended. */
@Command(
    name = "cancel",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Cancels a job that has not ended: its runs not started never start, the"
        + " workers running the others stop them within a second; finished runs keep their"
        + " result. Fails (exit 1) when the job has ended already.")
public final class JobCancelCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The job to cancel.")
  String id;

  @Option(names = "--wait", description = "Then wait until every run of the job has ended.")
  boolean waitForEnd;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "1m",
      description = "Give up waiting after this long (default: ${DEFAULT-VALUE}).")
  String waitTimeout;

  @Override
  int run(ControllerClient c) throws Exception {
    Duration timeout = Durations.parsePositive("--wait-timeout", waitTimeout);
    JobDetail d = c.cancel(id);
    if (waitForEnd) {
      PrintWriter progress = json() ? err() : out();
      d = JobSubmitCommand.waitForEnd(c, id, timeout, progress);
      if (d == null) {
        err().println("osapi-app: job " + id + " did not end within " + Durations.format(timeout)
            + " (see: osapi-app job get " + id + ")");
        err().flush();
        return 1;
      }
    }
    if (json()) {
      printJson(d);
    } else {
      out().println("job " + d.jobId() + " cancel accepted; status " + d.status());
      out().flush();
    }
    return 0;
  }
}
