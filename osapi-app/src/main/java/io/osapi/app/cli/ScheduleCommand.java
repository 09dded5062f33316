package io.osapi.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.osapi.app.api.ApiJson;
import io.osapi.app.client.ControllerClient;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code osapi schedule create|list|get|pause|resume|delete}: the schedules of a running
 * controller (recurring jobs, fired by the controllers once per tick). Reading needs {@code
 * schedules:read}; the rest {@code schedules:write}, and create, pause and resume {@code
 * jobs:create} too.
 */
@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    subcommands = {ScheduleCommand.Create.class, ScheduleCommand.ListAll.class,
        ScheduleCommand.Get.class, ScheduleCommand.Pause.class, ScheduleCommand.Resume.class,
        ScheduleCommand.Delete.class},
    description = "Recurring jobs on a running controller: create, list, get, pause, resume and"
        + " delete schedules.")
public final class ScheduleCommand implements java.util.concurrent.Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("osapi-app: schedule needs a command: create, list, get,"
        + " pause, resume or delete (see osapi-app schedule --help)");
    return CommandLine.ExitCode.USAGE;
  }

  /** {@code schedule create NAME}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Creates a schedule: its job is created at every tick of --cron or --every.")
  static final class Create extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule's name (a-z, 0-9, - and _).")
    String name;

    @Option(names = "--cron", paramLabel = "EXPR",
        description = "Five fields: minute hour day-of-month month day-of-week.")
    String cron;

    @Option(names = "--every", paramLabel = "PERIOD", description = "A fixed period: 30s, 5m, 1h.")
    String every;

    @Option(names = "--timezone", paramLabel = "ZONE",
        description = "The time zone of --cron (default: UTC).")
    String timezone;

    @Option(names = "--type", required = true, paramLabel = "TYPE",
        description = "The operation type of the job.")
    String type;

    @Option(names = "--data", paramLabel = "JSON", description = "The operation's parameters.")
    String data;

    @Option(names = "--target", paramLabel = "TARGET",
        description = "_any, _all, a worker id or key:value (default: _any).")
    String target;

    @Option(names = "--timeout", paramLabel = "SECONDS",
        description = "For a broadcast target, seconds the workers have to answer.")
    Long timeout;

    @Option(names = "--overlap", paramLabel = "POLICY",
        description = "skip (default) or allow: a tick while the previous job runs.")
    String overlap;

    @Option(names = "--catchup-window", paramLabel = "DURATION",
        description = "How late a tick may still fire (default: 1m).")
    String catchupWindow;

    @Option(names = "--paused", description = "Create it paused.")
    boolean paused;

    @Override
    int run(ControllerClient c) throws Exception {
      ObjectNode b = ApiJson.mapper().createObjectNode();
      b.put("name", name);
      putIf(b, "cron", cron);
      putIf(b, "every", every);
      putIf(b, "timezone", timezone);
      ObjectNode job = b.putObject("job");
      ObjectNode op = job.putObject("operation");
      op.put("type", type);
      if (data != null) {
        JsonNode d;
        try {
          d = ApiJson.mapper().readTree(data);
        } catch (Exception e) {
          err().println("osapi-app: --data is not JSON: " + e.getMessage());
          return CommandLine.ExitCode.USAGE;
        }
        op.set("data", d);
      }
      putIf(job, "target", target);
      if (timeout != null) {
        job.put("timeout_seconds", timeout);
      }
      putIf(b, "overlap", overlap);
      putIf(b, "catchup_window", catchupWindow);
      if (paused) {
        b.put("paused", true);
      }
      show(this, c.createSchedule(b));
      return 0;
    }
  }

  /** {@code schedule list}. */
  @Command(name = "list", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Lists the schedules with their next fire time.")
  static final class ListAll extends ClientCommand {
    @Override
    int run(ControllerClient c) throws Exception {
      JsonNode all = c.schedules();
      if (json()) {
        printJson(all);
        return 0;
      }
      Table t = new Table("NAME", "CADENCE", "OPERATION", "TARGET", "STATE", "NEXT", "FIRED",
          "SKIPPED", "MISSED", "FAILED");
      for (JsonNode s : all.path("items")) {
        JsonNode counts = s.path("counts");
        t.row(s.path("name").asText(), cadence(s),
            s.path("job").path("operation").path("type").asText(),
            s.path("job").path("target").asText("_any"),
            s.path("paused").asBoolean() ? "paused" : "active",
            s.path("next_fires").path(0).asText(null), counts.path("fired").asLong(),
            counts.path("skipped_overlap").asLong(), counts.path("missed").asLong(),
            counts.path("failed").asLong());
      }
      t.print(out());
      return 0;
    }
  }

  /** {@code schedule get NAME}. */
  @Command(name = "get", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Shows a schedule, its next fire times and its newest jobs.")
  static final class Get extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule.")
    String name;

    @Override
    int run(ControllerClient c) throws Exception {
      show(this, c.schedule(name));
      return 0;
    }
  }

  /** {@code schedule pause NAME}. */
  @Command(name = "pause", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Pauses a schedule: no tick fires until it is resumed.")
  static final class Pause extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule.")
    String name;

    @Override
    int run(ControllerClient c) throws Exception {
      show(this, c.changeSchedule(name, ApiJson.mapper().createObjectNode().put("paused", true)));
      return 0;
    }
  }

  /** {@code schedule resume NAME}. */
  @Command(name = "resume", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Resumes a schedule from its next tick (ticks while paused are not fired).")
  static final class Resume extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule.")
    String name;

    @Override
    int run(ControllerClient c) throws Exception {
      show(this, c.changeSchedule(name, ApiJson.mapper().createObjectNode().put("paused", false)));
      return 0;
    }
  }

  /** {@code schedule delete NAME}. */
  @Command(name = "delete", mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class, sortOptions = false,
      description = "Deletes a schedule (the jobs it created stay).")
  static final class Delete extends ClientCommand {
    @Parameters(paramLabel = "NAME", description = "The schedule.")
    String name;

    @Override
    int run(ControllerClient c) throws Exception {
      c.deleteSchedule(name);
      if (json()) {
        printJson(ApiJson.mapper().createObjectNode().put("name", name).put("deleted", true));
      } else {
        out().println("schedule " + name + " deleted");
        out().flush();
      }
      return 0;
    }
  }

  private static void putIf(ObjectNode n, String field, String value) {
    if (value != null) {
      n.put(field, value);
    }
  }

  static String cadence(JsonNode s) {
    return s.has("cron") ? s.path("cron").asText() + " (" + s.path("timezone").asText() + ")"
        : "every " + s.path("every").asText();
  }

  /** Prints one schedule: JSON, or its fields, next fire times and newest jobs. */
  private static void show(ClientCommand cmd, JsonNode s) throws Exception {
    if (cmd.json()) {
      cmd.printJson(s);
      return;
    }
    java.io.PrintWriter out = cmd.out();
    JsonNode counts = s.path("counts");
    out.println("schedule   " + s.path("name").asText());
    out.println("cadence    " + cadence(s));
    out.println("job        " + s.path("job").path("operation").path("type").asText() + " on "
        + s.path("job").path("target").asText("_any"));
    out.println("overlap    " + s.path("overlap").asText() + ", catch-up window "
        + s.path("catchup_window").asText());
    out.println("state      " + (s.path("paused").asBoolean() ? "paused" : "active")
        + (s.has("last_tick") ? ", last tick " + s.path("last_tick").asText() : ""));
    out.println("ticks      " + counts.path("fired").asLong() + " fired, "
        + counts.path("skipped_overlap").asLong() + " skipped (overlap), "
        + counts.path("missed").asLong() + " missed, " + counts.path("failed").asLong()
        + " failed");
    for (JsonNode t : s.path("next_fires")) {
      out.println("next       " + t.asText());
    }
    Table jobs = new Table("TICK", "JOB", "STATUS");
    for (JsonNode j : s.path("last_jobs")) {
      jobs.row(j.path("tick").asText(), j.path("job_id").asText(), j.path("status").asText());
    }
    if (s.path("last_jobs").size() > 0) {
      out.println();
      jobs.print(out);
    }
    out.flush();
  }
}
