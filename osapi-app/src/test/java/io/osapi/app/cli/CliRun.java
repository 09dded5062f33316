package io.osapi.app.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;

/**
 * The outcome of one in-process command line run.
 *
 * @param code the exit code
 * @param out what went to stdout
 * @param err what went to stderr
 */
record CliRun(int code, String out, String err) {
  /** Runs {@code args} with the environment {@code env}; server commands are refused. */
  static CliRun run(Map<String, String> env, String... args) {
    return run(env, new StringWriter(), args);
  }

  /** Runs {@code args}, writing stderr to {@code err} as it goes (for a test to watch). */
  static CliRun run(Map<String, String> env, StringWriter err, String... args) {
    StringWriter out = new StringWriter();
    ProcessLauncher none = s -> {
      throw new AssertionError("no server process in CLI tests: " + s);
    };
    int code = new Cli(none, env).run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new CliRun(code, out.toString(), err.toString());
  }

  /** The lines of stderr. */
  List<String> errLines() {
    return err.lines().toList();
  }
}
