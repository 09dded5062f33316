package io.osapi.app.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.client.ControllerClient;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code osapi audit list}: the audit trail of a running controller, newest first, and {@code
 * audit export} as JSON Lines. Needs the {@code audit:read}
 * permission.
 */
@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    subcommands = {AuditCommand.ListRecords.class, AuditCommand.Export.class},
    description = "The audit trail of a running controller (who did what, from where, and how it"
        + " ended): `audit list`, newest first, and `audit export` as JSON Lines.")
public final class AuditCommand implements java.util.concurrent.Callable<Integer> {
  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("osapi-app: audit needs a command: list or export (see"
        + " osapi-app audit --help)");
    return picocli.CommandLine.ExitCode.USAGE;
  }

  /** {@code audit list}. */
  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = "Lists audit records, newest first, a page at a time.")
  static final class ListRecords extends ClientCommand {
    @Option(names = "--subject", paramLabel = "SUBJECT", description = "Only this caller's.")
    String subject;

    @Option(names = "--since", paramLabel = "TIME",
        description = "Only records at or after this time (2026-12-05T10:00:00Z) or this long"
            + " ago (24h).")
    String since;

    @Option(names = "--until", paramLabel = "TIME",
        description = "Only records before this time or this long ago.")
    String until;

    @Option(names = "--route", paramLabel = "TEMPLATE",
        description = "Only requests of this route, such as /api/v1/jobs/{id}.")
    String route;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "50",
        description = "Records per page, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--after", paramLabel = "CURSOR",
        description = "The next page after a listing, as printed at its end.")
    String after;

    @Override
    int run(ControllerClient c) throws Exception {
      JsonNode page = c.audit(subject, since, until, route, limit, after);
      if (json()) {
        printJson(page);
        return 0;
      }
      Table t = new Table("TIME", "SUBJECT", "SOURCE", "REQUEST", "IDS", "OPERATION", "TARGET",
          "STATUS", "MS");
      for (JsonNode r : page.path("items")) {
        t.row(r.path("time").asText(), r.path("subject").asText(), r.path("source").asText(),
            r.path("method").asText() + " " + r.path("route").asText(),
            r.has("ids") && r.get("ids").size() > 0 ? r.get("ids").toString() : null,
            text(r, "operation"), text(r, "target"),
            r.has("status") ? r.get("status").asText() : "pending",
            text(r, "duration_ms"));
      }
      t.print(out());
      out().println(page.path("items").size() + " records");
      if (page.hasNonNull("next")) {
        out().println("next page: osapi audit list --after " + page.get("next").asText()
            + (subject == null ? "" : " --subject " + subject)
            + (route == null ? "" : " --route " + route)
            + (since == null ? "" : " --since " + since)
            + (until == null ? "" : " --until " + until));
      }
      out().flush();
      return 0;
    }

    private static String text(JsonNode r, String f) {
      return r.hasNonNull(f) ? r.get(f).asText() : null;
    }
  }

  /** {@code audit export}. */
  @Command(
      name = "export",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      sortOptions = false,
      description = "Writes the audit trail as JSON Lines, oldest first, to standard output or"
          + " a file.")
  static final class Export extends ClientCommand {
    @Option(names = "--since", paramLabel = "TIME",
        description = "Only records at or after this time (2026-12-05T10:00:00Z) or this long"
            + " ago (720h) (default: all that is kept).")
    String since;

    @Option(names = "--out", paramLabel = "FILE",
        description = "Write to this file (created, mode 600; refused when it exists) instead of"
            + " standard output.")
    Path file;

    @Override
    int run(ControllerClient c) throws Exception {
      if (file == null) {
        java.io.PrintWriter w = spec.commandLine().getOut();
        c.auditExport(since, new LinesTo(w));
        w.flush();
        return 0;
      }
      try {
        Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
      } catch (java.nio.file.FileAlreadyExistsException e) {
        err().println("osapi-app: --out: file " + file + " exists; audit export never"
            + " overwrites a file");
        return 2;
      } catch (java.io.IOException e) {
        err().println("osapi-app: --out: cannot create " + file + ": " + e.getMessage());
        return 2;
      }
      long n;
      try (OutputStream o = new BufferedOutputStream(
          Files.newOutputStream(file, StandardOpenOption.WRITE))) {
        n = c.auditExport(since, o);
      }
      err().println("wrote " + n + " audit records to " + file);
      return 0;
    }
  }

  /** JSON Lines bytes onto a writer, a whole line at a time (UTF-8). */
  private static final class LinesTo extends OutputStream {
    private final java.io.Writer w;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    LinesTo(java.io.Writer w) {
      this.w = w;
    }

    @Override
    public void write(int b) throws java.io.IOException {
      line.write(b);
      if (b == '\n') {
        w.write(line.toString(java.nio.charset.StandardCharsets.UTF_8));
        line.reset();
      }
    }

    @Override
    public void flush() throws java.io.IOException {
      w.write(line.toString(java.nio.charset.StandardCharsets.UTF_8));
      line.reset();
      w.flush();
    }
  }
}
