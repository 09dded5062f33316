package io.osapi.app.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OS process started by a test (nats-server, Prometheus, the shaded jar), with stdout and stderr
 * appended to files in the test's directory (shown when a test fails). {@link #close()} ends it
 * with SIGTERM, then SIGKILL after 15 s; {@link #kill()} is SIGKILL at once.
 *
 * <p>Shared by the end-to-end, reliability and doc tests.
 */
public final class OsProcess implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;

  private OsProcess(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code command} with extra environment variables; output goes to files in {@code dir}. */
  public static OsProcess start(String name, Path dir, Map<String, String> env, List<String> command) {
    try {
      Files.createDirectories(dir);
      Path out = dir.resolve(name + ".out");
      Path err = dir.resolve(name + ".err");
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      pb.environment().keySet().removeIf(k -> k.startsWith("OSAPI_"));
      pb.environment().putAll(env);
      return new OsProcess(name, pb.start(), out, err);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  private static java.io.File nullDevice() {
    return new java.io.File("/dev/null");
  }

  /** {@code java -jar osapi-app.jar args...} with a small, fast-starting JVM. */
  public static List<String> jarCommand(String... args) {
    return javaJar(jar(), args);
  }

  /** An executable on PATH or in the usual system directories; fails clearly when absent. */
  public static Path binary(String name, String debianPackage) {
    String path = System.getenv("PATH");
    for (String d : ((path == null ? "" : path) + ":/usr/bin:/usr/sbin:/usr/local/bin")
        .split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name);
      }
    }
    return fail(name + " is not installed: apt-get install " + debianPackage);
  }

  /** The command that runs the shaded jar with a small, fast-starting JVM. */
  public static List<String> javaJar(Path jar, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        jar.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The shaded jar, built by {@code package}; fails clearly when it is missing. */
  public static Path jar() {
    for (Path p : List.of(Path.of("target", "osapi-app.jar"),
        Path.of("osapi-app", "target", "osapi-app.jar"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    return fail("osapi-app/target/osapi-app.jar is missing: run ./mvnw verify (the end-to-end"
        + " tests need the shaded jar from the package phase)");
  }

  public String name() {
    return name;
  }

  /** Everything written to stdout so far. */
  public String stdout() {
    return read(out);
  }

  /** Everything written to stderr so far. */
  public String stderr() {
    return read(err);
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** Waits until stdout has a match of {@code regex}; returns its first group (or the match). */
  public String awaitStdout(String regex, Duration timeout) {
    Pattern p = Pattern.compile(regex, Pattern.MULTILINE);
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      Matcher m = p.matcher(stdout());
      if (m.find()) {
        return m.groupCount() > 0 ? m.group(1) : m.group();
      }
      if (!process.isAlive()) {
        break;
      }
      sleep(50);
    }
    return fail(name + " did not print /" + regex + "/ within " + timeout + "\n" + report());
  }

  /**
   * Waits for {@code condition}, failing with this process's output, and at once when the process
   * has exited.
   */
  public void await(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      if (!process.isAlive()) {
        fail(name + " exited with " + process.exitValue() + " while waiting for " + what + "\n"
            + report());
      }
      sleep(100);
    }
    fail(what + " did not happen within " + timeout + "\n" + report());
  }

  /** Waits for {@code condition}, whatever process it is about. */
  public static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail(what + " did not happen within " + timeout);
      }
      sleep(100);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  /** Sends SIGTERM. */
  public void terminate() {
    process.destroy();
  }

  /** Sends SIGKILL (no shutdown hook runs) and waits until the process is gone. */
  public void kill() {
    // a wrapper (faketime) may not pass signals on: its children go first
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        fail(name + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the exit code. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        return fail(name + " did not exit within " + timeout + "\n" + report());
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  /** Its output, for failure messages. */
  public String report() {
    return "---- " + name + " stdout:\n" + tail(stdout()) + "---- " + name + " stderr:\n"
        + tail(stderr());
  }

  private static String tail(String s) {
    return s.length() > 6000 ? "...\n" + s.substring(s.length() - 6000) : s;
  }

  @Override
  public void close() {
    // a wrapper (faketime) may not pass SIGTERM on and would leave its child running
    List<ProcessHandle> children = process.descendants().toList();
    if (!process.isAlive() && children.isEmpty()) {
      return;
    }
    children.forEach(ProcessHandle::destroy);
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
      for (ProcessHandle c : children) {
        try {
          c.onExit().get(15, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
          c.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
