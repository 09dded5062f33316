package io.osapi.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A nats-server of the load driver's own: JetStream with file storage in a temp dir, on loopback,
 * with its monitoring port open. Reads what the server did ({@code /varz} message counts) and what
 * it cost ({@code /proc/<pid>/stat} CPU time). Only the JDK and nats-server are needed, so that the
 * baseline can run on its own (see {@link RawJnatsBaseline#main}).
 */
final class NatsServerProcess implements AutoCloseable {
  private static final Pattern IN_MSGS = Pattern.compile("\"in_msgs\":\\s*(\\d+)");
  private static final Pattern OUT_MSGS = Pattern.compile("\"out_msgs\":\\s*(\\d+)");
  private static final Pattern IN_BYTES = Pattern.compile("\"in_bytes\":\\s*(\\d+)");
  private static final Pattern OUT_BYTES = Pattern.compile("\"out_bytes\":\\s*(\\d+)");

  private final Process process;
  private final Path dir;
  private final int port;
  private final int monitorPort;
  private final HttpClient http = HttpClient.newHttpClient();

  private NatsServerProcess(Process process, Path dir, int port, int monitorPort) {
    this.process = process;
    this.dir = dir;
    this.port = port;
    this.monitorPort = monitorPort;
  }

  /** Starts {@code nats-server -js} on free loopback ports and waits for its client port. */
  static NatsServerProcess start() throws IOException, InterruptedException {
    Path dir = Files.createTempDirectory("osapi-bench-nats");
    int port = freePort();
    int monitor = freePort();
    Process p = new ProcessBuilder("nats-server", "-js", "-a", "127.0.0.1", "-p",
        Integer.toString(port), "-m", Integer.toString(monitor), "-sd", dir.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("nats.log").toFile()).start();
    NatsServerProcess s = new NatsServerProcess(p, dir, port, monitor);
    try {
      s.waitForPort();
    } catch (RuntimeException | InterruptedException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** The client URL. */
  String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** The server's process id. */
  long pid() {
    return process.pid();
  }

  /**
   * CPU time the server used so far: fields 14 and 15 of its stat (utime, stime, 100 ticks a
   * second), 0 without /proc.
   */
  long cpuNanos() {
    return ProcStat.cpuNanos(process.pid());
  }

  /** CPU time used so far by this JVM. */
  static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /**
   * The server's {@code in_msgs} and {@code out_msgs} so far, from its monitoring port ({@code
   * /varz}): every message a client published into the server (JetStream publishes, KV writes,
   * acks, pull requests, API requests) and every one it sent out (deliveries, publish acks, pull
   * statuses, API answers). {0, 0} when the endpoint does not answer.
   */
  long[] messages() {
    try {
      String body = http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + monitorPort + "/varz")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      return new long[] {field(body, IN_MSGS), field(body, OUT_MSGS), field(body, IN_BYTES),
          field(body, OUT_BYTES)};
    } catch (IOException e) {
      return new long[4];
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new long[4];
    }
  }

  private static long field(String body, Pattern p) {
    Matcher m = p.matcher(body);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Override
  public void close() {
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try (var s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a temp dir left behind
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private void waitForPort() throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < end) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IllegalStateException("nats-server did not open port " + port + "; see "
        + dir.resolve("nats.log"));
  }
}
