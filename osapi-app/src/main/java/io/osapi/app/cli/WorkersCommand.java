package io.osapi.app.cli;

import io.osapi.app.api.ApiModel.WorkerBody;
import io.osapi.app.api.ApiModel.WorkerList;
import io.osapi.app.client.ControllerClient;
import io.osapi.app.config.Labels;
import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code osapi-app workers}: the live workers from the heartbeat registry (with the state of their
 * keys); {@code workers drain ID}, {@code workers undrain ID}, {@code workers accept ID} and
 * {@code workers reject ID}.
 */
@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    subcommands = {WorkersCommand.Drain.class, WorkersCommand.Undrain.class,
        WorkersCommand.Accept.class, WorkersCommand.Reject.class},
    description = "Lists the live workers (from their heartbeats) of a running controller, a"
        + " page at a time, by id.")
public final class WorkersCommand extends ClientCommand {
  @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
      description = "Workers per page, 1 to 1000 (default: ${DEFAULT-VALUE}).")
  int limit;

  @Option(names = "--after", paramLabel = "ID",
      description = "Only workers whose id sorts after this one: the next page after a listing,"
          + " as printed at its end.")
  String after;

  @Override
  int run(ControllerClient c) throws Exception {
    WorkerList l = c.workers(limit, after);
    if (json()) {
      printJson(l);
      return 0;
    }
    Table t = new Table("ID", "STATE", "LABELS", "ACTIVE", "LAST HEARTBEAT", "STARTED", "KEY",
        "FINGERPRINT");
    for (WorkerBody w : l.workers()) {
      t.row(w.id(), w.state(), w.labels().isEmpty() ? null : Labels.format(w.labels()),
          w.activeJobs() + "/" + w.concurrency(),
          String.format(java.util.Locale.ROOT, "%.1fs ago", w.heartbeatAgeSeconds()),
          w.started(), w.keyState() == null ? "none" : w.keyState(), w.keyFingerprint());
    }
    t.print(out());
    out().println(l.workers().size() == l.total()
        ? l.total() + (l.total() == 1 ? " worker" : " workers")
        : l.workers().size() + " of " + l.total() + " workers");
    if (l.next() != null) {
      out().println("next page: osapi-app workers" + (limit == 100 ? "" : " --limit " + limit)
          + " --after " + l.next());
    }
    out().flush();
    return 0;
  }

  /** {@code workers drain ID}. */
  @Command(
      name = "drain",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Takes a worker out of rotation: it takes no new jobs, finishes what it runs,"
          + " then is cordoned (kept across its restarts until undrained).")
  static final class Drain extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The worker id.")
    String id;

    @Override
    int run(ControllerClient c) throws Exception {
      return print(this, c.drain(id, true));
    }
  }

  /** {@code workers undrain ID}. */
  @Command(
      name = "undrain",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Puts a drained or cordoned worker back in rotation: it takes jobs again.")
  static final class Undrain extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The worker id.")
    String id;

    @Override
    int run(ControllerClient c) throws Exception {
      return print(this, c.drain(id, false));
    }
  }

  /** {@code workers accept|reject ID [--fingerprint F]}: one decision on a worker's key. */
  abstract static class KeyDecision extends ClientCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "The worker id.")
    String id;

    @Option(names = "--fingerprint", paramLabel = "SHA256:HEX", description = "Only if the"
        + " worker announces the key with this fingerprint (as its log shows it at start).")
    String fingerprint;

    /** True to accept the key, false to reject it. */
    abstract boolean accept();

    @Override
    int run(ControllerClient c) throws Exception {
      return print(this, c.decideKey(id, accept(), fingerprint));
    }
  }

  /** {@code workers accept ID}. */
  @Command(
      name = "accept",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Accepts the public key a live worker announces (compare its FINGERPRINT with"
          + " the one the worker logs at start): its signed run ends show as verified.")
  static final class Accept extends KeyDecision {
    @Override
    boolean accept() {
      return true;
    }
  }

  /** {@code workers reject ID}. */
  @Command(
      name = "reject",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Rejects the public key a live worker announces: its run ends show as"
          + " unverified.")
  static final class Reject extends KeyDecision {
    @Override
    boolean accept() {
      return false;
    }
  }

  private static int print(ClientCommand cmd, JsonNode answer) throws Exception {
    if (cmd.json()) {
      cmd.printJson(answer);
    } else {
      cmd.out().println(answer.path("message").asText());
      cmd.out().flush();
    }
    return 0;
  }
}
