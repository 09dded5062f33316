package io.osapi.app.docs;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * An OS process started by a doc test (nats-server, Prometheus, the shaded jar), its output in
 * files; {@link #close()} sends SIGTERM, then SIGKILL after 15 s. Also the few things around it:
 * free loopback ports, finding binaries and the jar.
 *
 * <p>The end-to-end helpers in {@code io.osapi.app.it} are package-private, so this package
 * cannot use them; this is the part of them the doc tests need, plus restarting a server on the
 * same port and store (which they do not offer).
 */
final class Proc implements AutoCloseable {
  private final String name;
  private final Process process;
  private final Path out;
  private final Path err;

  private Proc(String name, Process process, Path out, Path err) {
    this.name = name;
    this.process = process;
    this.out = out;
    this.err = err;
  }

  /** Starts {@code command} without inherited {@code OSAPI_*} variables; output in {@code dir}. */
  static Proc start(String name, Path dir, List<String> command) {
    try {
      Files.createDirectories(dir);
      Path o = dir.resolve(name + ".out");
      Path e = dir.resolve(name + ".err");
      ProcessBuilder pb = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(o.toFile()))
          .redirectError(ProcessBuilder.Redirect.appendTo(e.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      pb.environment().keySet().removeIf(k -> k.startsWith("OSAPI_"));
      return new Proc(name, pb.start(), o, e);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name + ": " + command, e);
    }
  }

  /** {@code java -jar osapi-app.jar args...} with a small, fast-starting JVM. */
  static List<String> javaJar(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar",
        jar().toString()));
    cmd.addAll(List.of(args));
    return cmd;
  }

  /** The shaded jar built by {@code package}; fails clearly when it is missing. */
  static Path jar() {
    for (Path p : List.of(Path.of("target", "osapi-app.jar"),
        Path.of("osapi-app", "target", "osapi-app.jar"))) {
      if (Files.isRegularFile(p)) {
        return p.toAbsolutePath();
      }
    }
    return fail("osapi-app/target/osapi-app.jar is missing: run ./mvnw verify (these tests need"
        + " the shaded jar from the package phase)");
  }

  /** An executable on PATH or in the usual system directories; fails clearly when absent. */
  static Path binary(String name, String debianPackage) {
    String path = System.getenv("PATH");
    for (String d : ((path == null ? "" : path) + ":/usr/bin:/usr/sbin:/usr/local/bin")
        .split(":")) {
      if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
        return Path.of(d, name);
      }
    }
    return fail(name + " is not installed: apt-get install " + debianPackage);
  }

  /**
   * A free loopback port below Linux's ephemeral range, so that a client retrying it before the
   * server listens cannot connect to itself and take it.
   */
  static int freePort() {
    Random r = new Random();
    for (int i = 0; i < 200; i++) {
      int p = 20000 + r.nextInt(12000);
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port between 20000 and 32000");
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Waits for {@code condition}, failing with this process's output. */
  void await(String what, Duration timeout, BooleanSupplier condition) {
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
  static void waitFor(String what, Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        fail(what + " did not happen within " + timeout);
      }
      sleep(100);
    }
  }

  boolean isAlive() {
    return process.isAlive();
  }

  String stdout() {
    return read(out);
  }

  /** The tail of its output, for failure messages. */
  String report() {
    return "---- " + name + " stdout:\n" + tail(read(out)) + "---- " + name + " stderr:\n"
        + tail(read(err));
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private static String tail(String s) {
    return s.length() > 4000 ? "...\n" + s.substring(s.length() - 4000) : s;
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
