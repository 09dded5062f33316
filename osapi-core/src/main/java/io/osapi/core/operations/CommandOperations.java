package io.osapi.core.operations;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.internal.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code command.exec} (a program and its arguments, no shell) and {@code shell.exec} (a script
 * given to a shell): both run in a session of their own with an environment holding only what the
 * worker allows, and end with every process they started (see {@link CommandRunner}). A non-zero
 * exit or a timeout fails the run and keeps its result.
 */
final class CommandOperations {
  /** Default {@code timeout_seconds}. */
  static final double DEFAULT_TIMEOUT_SECONDS = 60;
  /** Largest {@code timeout_seconds}. */
  static final double MAX_TIMEOUT_SECONDS = 3600;
  /** The default shell of {@code shell.exec}. */
  static final String DEFAULT_SHELL = "/bin/sh";

  private static final Set<String> COMMON = Set.of("timeout_seconds", "cwd", "env", "stdin");

  private final HostLimits limits;
  private final CommandRunner runner;

  CommandOperations(HostLimits limits) {
    this.limits = limits;
    this.runner = new CommandRunner(limits);
  }

  /** {@code command.exec}: {@code {argv, timeout_seconds, cwd, env, stdin}}. */
  String command(OperationContext c) throws Exception {
    DataFields d = new DataFields("command.exec", c.dataObject(), with(COMMON, "argv"));
    Object raw = d.raw("argv");
    if (!(raw instanceof List<?> list) || list.isEmpty()) {
      throw d.bad("argv", "is required: a non-empty array of strings, like [\"systemctl\","
          + " \"restart\", \"nginx\"]");
    }
    List<String> argv = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      Object a = list.get(i);
      if (!(a instanceof String s) || s.indexOf('\0') >= 0 || (i == 0 && s.isEmpty())) {
        throw new InvalidInputException("argv[" + i + "]", "command.exec: argv[" + i + "] must be"
            + (i == 0 ? " a non-empty string" : " a string") + " without NUL");
      }
      argv.add(s);
    }
    return run(d, argv, "command", c);
  }

  /** {@code shell.exec}: {@code {script, shell, timeout_seconds, cwd, env, stdin}}. */
  String shell(OperationContext c) throws Exception {
    DataFields d = new DataFields("shell.exec", c.dataObject(), with(COMMON, "script", "shell"));
    String script = d.requiredString("script");
    if (script.indexOf('\0') >= 0) {
      throw d.bad("script", "must not contain NUL");
    }
    Path shell = d.absolutePath("shell", false);
    if (shell == null) {
      shell = Path.of(DEFAULT_SHELL);
    }
    if (!Files.isRegularFile(shell) || !Files.isExecutable(shell)) {
      throw d.bad("shell", "'" + shell + "' is not an executable file on this host");
    }
    return run(d, List.of(shell.toString(), "-c", script), "script", c);
  }

  private String run(DataFields d, List<String> argv, String what, OperationContext c)
      throws Exception {
    double seconds = d.number("timeout_seconds", DEFAULT_TIMEOUT_SECONDS, 1, MAX_TIMEOUT_SECONDS);
    Path cwd = d.absolutePath("cwd", false);
    if (cwd != null && !Files.isDirectory(cwd)) {
      throw d.bad("cwd", "'" + cwd + "' is not a directory on this host");
    }
    Map<String, String> env = env(d);
    byte[] stdin = d.has("stdin") ? d.string("stdin", "").getBytes(StandardCharsets.UTF_8) : null;
    CommandRunner.Outcome o;
    try {
      o = runner.run(new CommandRunner.Spec(argv, cwd, env, stdin,
          Duration.ofMillis(Math.round(seconds * 1000)), c.whenCancelled()));
    } catch (IOException e) {
      throw new IOException("could not start the " + what + ": " + e.getMessage(), e);
    }
    String result = result(o);
    if (o.cancelled()) {
      throw new OperationFailedException("the " + what + " was cancelled; its processes were"
          + " ended", result);
    }
    if (o.timedOut()) {
      throw new OperationFailedException("the " + what + " timed out after "
          + fmt(seconds) + " s; its processes were ended", result);
    }
    if (o.exitCode() != 0) {
      throw new OperationFailedException("the " + what + " exited with code " + o.exitCode(),
          result);
    }
    return result;
  }

  private Map<String, String> env(DataFields d) {
    Object raw = d.raw("env");
    Map<String, String> env = new LinkedHashMap<>();
    if (raw == null) {
      return env;
    }
    if (!(raw instanceof Map<?, ?> m)) {
      throw d.bad("env", "must be an object of names to string values");
    }
    for (Map.Entry<?, ?> e : m.entrySet()) {
      String name = String.valueOf(e.getKey());
      HostLimits.requireEnvName("env", name);
      if (!limits.allowedEnv().contains(name)) {
        throw new InvalidInputException("env", "env: " + name + " is not allowed on this worker"
            + " (it allows " + (limits.allowedEnv().isEmpty() ? "none; see --allow-env"
                : String.join(", ", limits.allowedEnv())) + ")");
      }
      if (!(e.getValue() instanceof String v) || v.indexOf('\0') >= 0) {
        throw new InvalidInputException("env", "env: the value of " + name
            + " must be a string without NUL");
      }
      env.put(name, v);
    }
    return env;
  }

  private static String result(CommandRunner.Outcome o) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("exit_code", o.exitCode());
    m.put("stdout", o.stdout());
    m.put("stderr", o.stderr());
    m.put("stdout_truncated", o.stdoutTruncated());
    m.put("stderr_truncated", o.stderrTruncated());
    m.put("duration_seconds", o.duration().toMillis() / 1000.0);
    m.put("timed_out", o.timedOut());
    if (o.cancelled()) {
      m.put("cancelled", true);
    }
    m.put("changed", true);
    return Json.write(m);
  }

  private static Set<String> with(Set<String> base, String... more) {
    Set<String> s = new java.util.HashSet<>(base);
    s.addAll(List.of(more));
    return s;
  }

  private static String fmt(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }
}
