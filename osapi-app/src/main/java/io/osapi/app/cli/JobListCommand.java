package io.osapi.app.cli;

import io.osapi.app.api.ApiModel.JobList;
import io.osapi.app.api.ApiModel.JobSummary;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.client.JobQuery;
import io.osapi.app.config.Durations;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code osapi-app job list}: a page of jobs, newest first. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Lists jobs, newest first.")
public final class JobListCommand extends ClientCommand {
  @Option(names = "--status", paramLabel = "STATUS",
      description = "Only jobs with this status: submitted, processing, completed, failed,"
          + " partial_failure, cancelled.")
  String status;

  @Option(names = "--operation", paramLabel = "TYPE",
      description = "Only jobs of this operation type.")
  String operation;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "Only jobs with this target, as submitted (_any, _all, a worker id,"
          + " key:value).")
  String target;

  @Option(names = "--worker", paramLabel = "WORKER_ID",
      description = "Only jobs that ran on this worker: a run of the job is held, or was last"
          + " held, by it, whatever the run's state.")
  String worker;

  @Option(names = "--since", paramLabel = "TIME",
      description = "Only jobs created at or after this time (2026-12-05T10:00:00Z) or this"
          + " long ago (24h).")
  String since;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20",
      description = "Jobs per page, 1 to 100 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--offset", paramLabel = "N", defaultValue = "0",
      description = "Jobs to skip (default: ${DEFAULT-VALUE}); for deep pages prefer --after.")
  int offset;

  @Option(names = "--after", paramLabel = "JOB_ID",
      description = "Only jobs older than this one: the next page after a listing, as printed"
          + " at its end.")
  String after;

  /** {@code --since} as a time: as given, or that long before now. */
  private Instant since() {
    if (since == null) {
      return null;
    }
    try {
      return Instant.parse(since);
    } catch (DateTimeParseException e) {
      return Instant.now().minus(Durations.parse("--since", since));
    }
  }

  @Override
  int run(ControllerClient c) throws Exception {
    JobList l = c.list(new JobQuery(status, operation, target, worker, since(), limit, offset,
        after));
    if (json()) {
      printJson(l);
      return 0;
    }
    Table t = new Table("ID", "STATUS", "OPERATION", "TARGET", "CREATED", "UPDATED");
    for (JobSummary j : l.items()) {
      t.row(j.jobId(), j.status(), j.operation().type(), j.target(), j.created(), j.updated());
    }
    t.print(out());
    out().println(l.items().size() + " of " + l.total() + " jobs"
        + (status == null ? "" : " with status " + status));
    if (l.next() != null) {
      out().println("next page: osapi-app job list" + (status == null ? "" : " --status " + status)
          + (operation == null ? "" : " --operation " + operation)
          + (target == null ? "" : " --target " + target)
          + (worker == null ? "" : " --worker " + worker)
          + (since == null ? "" : " --since " + since)
          + (limit == 20 ? "" : " --limit " + limit) + " --after " + l.next());
    }
    out().flush();
    return 0;
  }
}
