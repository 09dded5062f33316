package io.osapi.adapter.otel;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code promtool check metrics} (Debian package {@code prometheus}) on an exposition. A
 * missing promtool fails the test: the contract requires the check.
 */
final class Promtool {

  /** What promtool said. */
  record Result(int exitCode, String output) {}

  private Promtool() {}

  static Path binary() {
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

  static Result checkMetrics(String exposition) {
    Path bin = binary();
    try {
      Process p =
          new ProcessBuilder(bin.toString(), "check", "metrics").redirectErrorStream(true).start();
      try (OutputStream in = p.getOutputStream()) {
        in.write(exposition.getBytes(StandardCharsets.UTF_8));
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
