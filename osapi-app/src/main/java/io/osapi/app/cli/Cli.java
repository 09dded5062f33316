package io.osapi.app.cli;

import io.osapi.app.client.ClientTracing;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.WorkerIds;
import java.io.PrintWriter;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;

/**
 * The {@code osapi-app} command line: builds the picocli command tree, applies environment and
 * config-file values, runs the command and returns its exit code. Bad option values (from flags,
 * environment or file) end in one line on stderr naming the option, and exit code 2.
 */
public final class Cli {
  private final ProcessLauncher launcher;
  private final ClientTracing tracing;
  private final Map<String, String> env;

  /**
   * @param launcher builds server processes
   * @param env the environment ({@code OSAPI_...} variables)
   */
  public Cli(ProcessLauncher launcher, Map<String, String> env) {
    this(launcher, ClientTracing.none(), env);
  }

  /**
   * @param launcher builds server processes
   * @param tracing starts the span {@code job submit} traces the job under
   * @param env the environment ({@code OSAPI_...} variables)
   */
  public Cli(ProcessLauncher launcher, ClientTracing tracing, Map<String, String> env) {
    this.launcher = Objects.requireNonNull(launcher, "launcher");
    this.tracing = Objects.requireNonNull(tracing, "tracing");
    this.env = Map.copyOf(env);
  }

  /** The command tree (for help and tests). */
  public CommandLine commandLine() {
    if (System.getProperty("osapi.defaultWorkerId") == null) {
      System.setProperty("osapi.defaultWorkerId", WorkerIds.defaultId());
    }
    CommandLine cl = new CommandLine(new OsapiCommand(launcher));
    cl.addSubcommand(new CommandLine(new ControllerCommand(launcher)));
    cl.addSubcommand(new CommandLine(new WorkerCommand(launcher)));
    cl.addSubcommand(new CommandLine(new JobCommand(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> cls) throws Exception {
        K k = CommandLine.defaultFactory().create(cls);
        if (k instanceof JobSubmitCommand submit) {
          submit.tracing = tracing;
        }
        return k;
      }
    }));
    cl.addSubcommand(new CommandLine(new WorkersCommand()));
    cl.addSubcommand(new CommandLine(new AuditCommand()));
    cl.addSubcommand(new CommandLine(new ScheduleCommand()));
    cl.addSubcommand(new CommandLine(new TokenCommand()));
    cl.addSubcommand(new CommandLine(new KeysCommand()));
    cl.setUsageHelpWidth(100);
    return cl;
  }

  /**
   * Runs the command line.
   *
   * @return the exit code: 0 ok, 1 failure, 2 bad command line or option value
   */
  public int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl;
    try {
      cl = prepare(args, out, err);
    } catch (ConfigException e) {
      err.println("osapi-app: " + e.getMessage());
      err.flush();
      return CommandLine.ExitCode.USAGE;
    }
    int code = cl.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  /**
   * The command tree ready to execute {@code args}: output streams, environment and config-file
   * values, and the handlers that turn bad values into one line and exit code 2.
   *
   * @throws ConfigException when the config file cannot be read or sets an unknown option
   */
  public CommandLine prepare(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine();
    cl.setOut(out);
    cl.setErr(err);
    OptionSources sources = OptionSources.load(args, env, optionNames(cl));
    cl.setDefaultValueProvider(sources);
    cl.setParameterExceptionHandler(
        (ParameterException ex, String[] a) -> {
          ArgSpec spec = ex.getArgSpec();
          String from = "";
          if (spec instanceof OptionSpec o) {
            from = sources.sourceOf(o.longestName()).map(s -> " (set by " + s + ")").orElse("");
          }
          err.println("osapi-app: " + firstLine(ex.getMessage()) + from);
          err.flush();
          return CommandLine.ExitCode.USAGE;
        });
    cl.setExecutionExceptionHandler(
        (ex, commandLine, parseResult) -> {
          if (ex instanceof ConfigException ce) {
            String from = sources.sourceOf(ce.option()).map(s -> " (set by " + s + ")").orElse("");
            err.println("osapi-app: " + ce.getMessage() + from);
            err.flush();
            return CommandLine.ExitCode.USAGE;
          }
          err.println("osapi-app: " + firstLine(String.valueOf(ex.getMessage()))
              + " (" + ex.getClass().getSimpleName() + ")");
          err.flush();
          return 1;
        });
    return cl;
  }

  private static Set<String> optionNames(CommandLine cl) {
    Set<String> names = new HashSet<>();
    collect(cl, names);
    return names;
  }

  private static void collect(CommandLine cl, Set<String> names) {
    for (OptionSpec o : cl.getCommandSpec().options()) {
      names.add(o.longestName());
    }
    for (CommandLine sub : cl.getSubcommands().values()) {
      collect(sub, names);
    }
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return (nl < 0 ? s : s.substring(0, nl)).strip();
  }
}
