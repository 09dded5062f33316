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
 * An OS process started by a test, with stdout and stderr in files (shown when a test fails).
 * {@link #close()} ends it with SIGTERM, then SIGKILL after 15 s.
 */
final class OsProcess implements AutoCloseable {
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
  static OsProcess start(String name, Path dir, Map<String, String> env, List<String> command) {
    try {
      Files.createDirectories(dir);
      Path out = dir.resolve(name + ".out");
      Path err = dir.resolve(name + ".err");
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectOutput(out.toFile())
          .redirectError(err.toFile())
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

  /** The command that runs the shaded jar with a small, fast-starting JVM. */
  static List<String> javaJar(Path jar, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        jar.toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The shaded jar, built by {@code package}; fails clearly when it is missing. */
  static Path jar() {
    for (Path p : List.of(Path.of("target", "osapi-app.jar"),
        Path.of("osapi-app", "target", "osapi-app.jar"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    return fail("osapi-app/target/osapi-app.jar is missing: run ./mvnw verify (the end-to-end"
        + " tests need the shaded jar from the package phase)");
  }

  String name() {
    return name;
  }

  /** Everything written to stdout so far. */
  String stdout() {
    return read(out);
  }

  /** Everything written to stderr so far. */
  String stderr() {
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
  String awaitStdout(String regex, Duration timeout) {
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

  /** Waits for {@code condition}, failing with this process's output. */
  void await(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return;
      }
      sleep(100);
    }
    fail(what + " did not happen within " + timeout + "\n" + report());
  }

  boolean isAlive() {
    return process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** Sends SIGTERM. */
  void terminate() {
    process.destroy();
  }

  /** Waits for the exit code. */
  int awaitExit(Duration timeout) {
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
  String report() {
    return "---- " + name + " stdout:\n" + tail(stdout()) + "---- " + name + " stderr:\n"
        + tail(stderr());
  }

  private static String tail(String s) {
    return s.length() > 6000 ? "...\n" + s.substring(s.length() - 6000) : s;
  }

  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
