package io.osapi.app.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.cli.Cli;
import io.osapi.app.cli.OptionSources;
import io.osapi.app.cli.ProcessLauncher;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The configuration reference of docs/operations.md against the real command line, run in
 * process: every flag that {@code --help} of a command lists has exactly one row for that command
 * (and no row names a flag the command lacks), with the default picocli applies and the {@code
 * OSAPI_*} variable that really sets it (checked by setting it and parsing).
 */
class ConfigReferenceTest {
  /** The command names used in the table's commands column, and their arguments. */
  static final Map<String, List<String>> COMMANDS = new LinkedHashMap<>();

  static {
    COMMANDS.put("all-in-one", List.of());
    COMMANDS.put("controller", List.of("controller"));
    COMMANDS.put("worker", List.of("worker"));
    COMMANDS.put("job submit", List.of("job", "submit"));
    COMMANDS.put("job get", List.of("job", "get"));
    COMMANDS.put("job list", List.of("job", "list"));
    COMMANDS.put("job retry", List.of("job", "retry"));
    COMMANDS.put("job cancel", List.of("job", "cancel"));
    COMMANDS.put("job delete", List.of("job", "delete"));
    COMMANDS.put("workers", List.of("workers"));
    COMMANDS.put("workers accept", List.of("workers", "accept"));
    COMMANDS.put("workers reject", List.of("workers", "reject"));
    COMMANDS.put("audit list", List.of("audit", "list"));
    COMMANDS.put("audit export", List.of("audit", "export"));
    for (String sub : List.of("create", "list", "get", "pause", "resume", "delete")) {
      COMMANDS.put("schedule " + sub, List.of("schedule", sub));
    }
    COMMANDS.put("token keygen", List.of("token", "keygen"));
    COMMANDS.put("token create", List.of("token", "create"));
    COMMANDS.put("token inspect", List.of("token", "inspect"));
  }

  /** An option line of picocli's usage help: two spaces and a short name, or six spaces. */
  private static final Pattern HELP_OPTION =
      Pattern.compile("^(?: {2}-\\w, | {6})(--[a-z][a-z0-9-]*)");

  private static final ProcessLauncher NO_SERVERS = s -> {
    throw new AssertionError("no server process in this test");
  };

  @TempDir Path tmp;

  /** One row of a reference table, for one command. */
  record Row(String flag, String env, String defaultCell, String command) {}

  static List<Row> documented() {
    String doc = DocFiles.read("docs/operations.md");
    List<Row> rows = new ArrayList<>();
    int tables = 0;
    for (DocFiles.Table t : DocFiles.tables(doc)) {
      if (!t.header().equals(
          List.of("flag", "environment variable", "default", "commands", "meaning"))) {
        continue;
      }
      tables++;
      for (List<String> r : t.rows()) {
        assertThat(r).as("row %s has 5 cells", r).hasSize(5);
        String flag = DocFiles.onlyCode(r.get(0));
        assertThat(flag).as("first cell of %s is one backticked flag", r).startsWith("--");
        for (String c : r.get(3).split(",")) {
          String command = c.strip();
          assertThat(COMMANDS).as("command '%s' of row %s", command, r).containsKey(command);
          rows.add(new Row(flag, r.get(1), r.get(2), command));
        }
      }
    }
    assertThat(tables).as("reference tables in docs/operations.md").isEqualTo(3);
    return rows;
  }

  /** What {@code osapi-app <command> --help} prints, run in process with an empty environment. */
  static String help(String command) {
    List<String> args = new ArrayList<>(COMMANDS.get(command));
    args.add("--help");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = new Cli(NO_SERVERS, Map.of()).run(args.toArray(String[]::new),
        new PrintWriter(out, true), new PrintWriter(err, true));
    assertThat(code).as("%s --help exit code; stderr: %s", command, err).isZero();
    return out.toString();
  }

  /** The long flags listed by {@code --help} of a command. */
  static Set<String> helpFlags(String command) {
    Set<String> flags = new TreeSet<>();
    for (String line : help(command).split("\n")) {
      Matcher m = HELP_OPTION.matcher(line);
      if (m.find()) {
        flags.add(m.group(1));
      }
    }
    return flags;
  }

  /** The picocli model of a command, without environment or config file. */
  static CommandLine command(CommandLine root, String command) {
    CommandLine cl = root;
    for (String sub : COMMANDS.get(command)) {
      cl = cl.getSubcommands().get(sub);
    }
    return cl;
  }

  @Test
  void everyFlagOfHelpIsDocumentedOncePerCommandAndNoOtherIs() {
    List<Row> rows = documented();
    SoftAssertions soft = new SoftAssertions();
    for (String command : COMMANDS.keySet()) {
      Set<String> inHelp = helpFlags(command);
      soft.assertThat(inHelp).as("flags in %s --help", command).contains("--help");
      List<String> inDoc = rows.stream().filter(r -> r.command().equals(command))
          .map(Row::flag).toList();
      Set<String> missing = new TreeSet<>(inHelp);
      missing.removeAll(inDoc);
      Set<String> extra = new TreeSet<>(inDoc);
      extra.removeAll(inHelp);
      soft.assertThat(missing).as("flags of '%s' --help missing from docs/operations.md",
          command).isEmpty();
      soft.assertThat(extra).as("flags documented for '%s' that its --help does not list",
          command).isEmpty();
      soft.assertThat(inDoc).as("rows for '%s' (each flag once)", command)
          .doesNotHaveDuplicates();
    }
    soft.assertAll();
  }

  @Test
  void documentedDefaultsAreTheOnesInForce() {
    CommandLine root = new Cli(NO_SERVERS, Map.of()).commandLine();
    SoftAssertions soft = new SoftAssertions();
    for (Row r : documented()) {
      OptionSpec o = command(root, r.command()).getCommandSpec().findOption(r.flag());
      if (o == null) {
        continue; // reported by the flag test
      }
      String documented = DocFiles.onlyCode(r.defaultCell());
      String what = r.flag() + " of '" + r.command() + "': default cell '" + r.defaultCell() + "'";
      // the default in force: the annotation's, or a mixin's initial value set by its command
      String inForce = o.defaultValue() != null ? o.defaultValue()
          : o.initialValue() instanceof String v ? v : null;
      if (inForce != null) {
        soft.assertThat(documented).as(what).isEqualTo(inForce);
        soft.assertThat(help(r.command()).replaceAll("\\s+", " "))
            .as("--help of %s shows the default of %s", r.command(), r.flag())
            .contains("(default: " + inForce);
      } else if (o.required()) {
        soft.assertThat(r.defaultCell()).as(what).isEqualTo("required");
      } else {
        soft.assertThat(documented).as(what + " (no built-in default: describe it in words)")
            .isNull();
      }
    }
    soft.assertAll();
  }

  @Test
  void documentedEnvironmentVariablesReallySetTheOption() throws IOException {
    Path configFile = Files.writeString(tmp.resolve("empty.properties"), "");
    SoftAssertions soft = new SoftAssertions();
    int checked = 0;
    for (Row r : documented()) {
      String what = r.flag() + " of '" + r.command() + "'";
      OptionSpec model = command(new Cli(NO_SERVERS, Map.of()).commandLine(), r.command())
          .getCommandSpec().findOption(r.flag());
      if (model == null) {
        continue;
      }
      boolean fromEnv = !model.usageHelp() && !model.versionHelp()
          && !OptionSources.PER_INVOCATION.contains(r.flag());
      String env = DocFiles.onlyCode(r.env());
      if (!fromEnv) {
        soft.assertThat(DocFiles.code(r.env())).as("%s is not read from the environment", what)
            .isEmpty();
        if (!model.usageHelp() && !model.versionHelp()) {
          String name = OptionSources.envName(r.flag());
          soft.assertThat(valueWithEnvironment(r, name, "from-env"))
              .as("%s ignores %s", what, name).isNotEqualTo("from-env");
        }
        continue;
      }
      soft.assertThat(env).as("environment variable of %s", what)
          .isEqualTo(OptionSources.envName(r.flag()));
      if (env == null) {
        continue;
      }
      String sample = sample(model, configFile);
      soft.assertThat(valueWithEnvironment(r, env, sample))
          .as("%s set through %s=%s", what, env, sample).isEqualTo(sample);
      checked++;
    }
    soft.assertAll();
    assertThat(checked).isGreaterThan(30);
  }

  /** A value the option's type accepts. */
  private static String sample(OptionSpec o, Path configFile) {
    Class<?> type = o.type();
    if (o.longestName().equals("--config")) {
      return configFile.toString();
    }
    if (type == int.class || type == Integer.class) {
      return "7";
    }
    if (type == Path.class) {
      return "/tmp/osapi-doc-sample";
    }
    if (type == boolean.class || type == Boolean.class) {
      return "true";
    }
    return "sample-value";
  }

  /**
   * Parses the command like the real command line, with {@code variable=value} as the only
   * environment, and returns the option's value as text.
   */
  private static String valueWithEnvironment(Row r, String variable, String value) {
    List<String> args = new ArrayList<>(COMMANDS.get(r.command()));
    if (r.command().equals("job submit") && !r.flag().equals("--type")) {
      args.addAll(List.of("--type", "diag.echo"));
    }
    if (List.of("job get", "job retry", "job cancel", "job delete").contains(r.command())) {
      args.add("01a216da-ea51-73a3-9097-fd2ab487545d");
    }
    if (List.of("workers accept", "workers reject").contains(r.command())) {
      args.add("web01");
    }
    if (r.command().startsWith("schedule ") && !r.command().equals("schedule list")) {
      args.add("nightly");
    }
    if (r.command().equals("schedule create") && !r.flag().equals("--type")) {
      args.addAll(List.of("--type", "diag.echo"));
    }
    if (r.command().equals("token keygen")) { // required options, given on the command line
      args.addAll(List.of("--out", "/tmp/osapi-doc-sample"));
    }
    if (r.command().equals("token create")) {
      args.addAll(List.of("--key-file", "/tmp/osapi-doc-sample", "--subject", "alice", "--ttl",
          "1h"));
    }
    if (r.flag().equals("--type")) {
      args.addAll(List.of("--type", "given-on-the-command-line"));
    }
    String[] a = args.toArray(String[]::new);
    StringWriter sink = new StringWriter();
    CommandLine cl = new Cli(NO_SERVERS, Map.of(variable, value))
        .prepare(a, new PrintWriter(sink), new PrintWriter(sink));
    CommandLine.ParseResult pr = cl.parseArgs(a);
    while (pr.hasSubcommand()) {
      pr = pr.subcommand();
    }
    Object v = pr.commandSpec().findOption(r.flag()).getValue();
    return String.valueOf(v);
  }
}
