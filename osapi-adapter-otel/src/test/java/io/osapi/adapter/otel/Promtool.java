package io.osapi.adapter.otel;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code promtool} (Debian package {@code prometheus}): {@code check metrics} on an
 * exposition, or any other check. A missing promtool fails the test: the contract requires the
 * check. Published in this module's test-jar for the app's tests.
 */
public final class Promtool {

  /**
   * What promtool said.
   *
   * @param exitCode its exit code
   * @param output stdout and stderr together
   */
  public record Result(int exitCode, String output) {}

  private Promtool() {}

  /** The promtool binary; fails the test when there is none. */
  public static Path binary() {
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir, "promtool");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    Path usual = Path.of("/usr/bin/promtool");
    if (Files.isExecutable(usual)) {
      return usual;
    }
    return fail(
        "promtool not found on PATH or in /usr/bin: the metrics contract requires"
            + " `promtool check metrics`; install it with `apt-get install prometheus`");
  }

  /** {@code promtool check metrics} with {@code exposition} on stdin. */
  public static Result checkMetrics(String exposition) {
    return run(exposition, "check", "metrics");
  }

  /** promtool with {@code args}, {@code stdin} (may be empty) on its standard input. */
  public static Result run(String stdin, String... args) {
    Path bin = binary();
    try {
      java.util.List<String> cmd = new java.util.ArrayList<>();
      cmd.add(bin.toString());
      cmd.addAll(java.util.List.of(args));
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(stdin.getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return fail("promtool did not finish in 30 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      return fail("running " + bin + " failed: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted while running promtool");
    }
  }
}
