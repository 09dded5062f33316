package io.osapi.app.cli;

import io.osapi.app.api.ApiJson;
import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.api.ApiModel.TimelineBody;
import io.osapi.app.client.ControllerClient;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code osapi-app job get ID}: one job in full. */
@Command(
    name = "get",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Shows a job: status, result, error, worker states and timeline.")
public final class JobGetCommand extends ClientCommand {
  @Parameters(paramLabel = "ID", description = "The job id.")
  String id;

  private static String line(String s) {
    return TerminalText.oneLine(s);
  }

  @Override
  int run(ControllerClient c) throws Exception {
    JobDetail d = c.get(id);
    if (json()) {
      printJson(d);
      return 0;
    }
    PrintWriter out = out();
    out.println("job:        " + line(d.jobId()));
    out.println("status:     " + line(d.status()));
    out.println("operation:  " + line(d.operation().type()) + " "
        + ApiJson.mapper().writeValueAsString(d.operation().data()));
    out.println("target:     " + line(d.target()) + " (" + line(d.kind()) + ")");
    out.println("created:    " + line(d.created()));
    out.println("updated:    " + line(d.updated()));
    if (d.traceId() != null) {
      out.println("trace_id:   " + line(d.traceId()));
    }
    if (d.result() != null) {
      out.println("result:     " + ApiJson.mapper().writeValueAsString(d.result()));
      if (d.verified() != null) {
        out.println("verified:   " + WorkerResults.verified(d.verified(), d.unverifiedReason())
            + (d.verified() ? "" : ": not a worker's signed answer"));
      }
    }
    if (d.error() != null) {
      out.println("error:      " + line(d.error()));
    }
    if (d.workers() != null && !d.workers().isEmpty()) {
      out.println();
      WorkerResults.print(d, out);
    }
    if (d.timeline() != null && !d.timeline().isEmpty()) {
      out.println();
      Table t = new Table("TIME", "EVENT", "WORKER", "MESSAGE");
      for (TimelineBody e : d.timeline()) {
        t.row(e.time(), e.event(), e.worker(),
            e.error() == null ? e.message() : e.message() + ": " + e.error());
      }
      t.print(out);
    }
    out.flush();
    return 0;
  }
}
