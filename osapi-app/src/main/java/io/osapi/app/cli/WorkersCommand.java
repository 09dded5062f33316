package io.osapi.app.cli;

import io.osapi.app.api.ApiModel.WorkerBody;
import io.osapi.app.api.ApiModel.WorkerList;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.config.Labels;
import picocli.CommandLine.Command;

/** {@code osapi-app workers}: the live workers from the heartbeat registry. */
@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Lists the live workers (from their heartbeats) of a running controller.")
public final class WorkersCommand extends ClientCommand {
  @Override
  int run(ControllerClient c) throws Exception {
    WorkerList l = c.workers();
    if (json()) {
      printJson(l);
      return 0;
    }
    Table t = new Table("ID", "LABELS", "ACTIVE", "LAST HEARTBEAT", "STARTED");
    for (WorkerBody w : l.workers()) {
      t.row(w.id(), w.labels().isEmpty() ? null : Labels.format(w.labels()),
          w.activeJobs() + "/" + w.concurrency(),
          String.format(java.util.Locale.ROOT, "%.1fs ago", w.heartbeatAgeSeconds()),
          w.started());
    }
    t.print(out());
    out().println(l.total() + (l.total() == 1 ? " worker" : " workers"));
    out().flush();
    return 0;
  }
}
