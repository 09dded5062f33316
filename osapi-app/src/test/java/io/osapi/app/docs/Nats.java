package io.osapi.app.docs;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real {@code nats-server} with JetStream on a free loopback port and a file store in the test's
 * directory, which the test can stop and start again on the same port and store (a NATS restart,
 * as an operator sees one).
 */
final class Nats implements AutoCloseable {
  private final Path dir;
  private final int port;
  private int starts;
  private Proc process;

  private Nats(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  static Nats start(Path dir) throws Exception {
    Nats n = new Nats(dir, Proc.freePort());
    Files.createDirectories(dir.resolve("jetstream"));
    n.startAgain();
    return n;
  }

  /** Starts the server (again) on the same port and store directory. */
  void startAgain() {
    Path bin = Proc.binary("nats-server", "nats-server");
    starts++;
    process = Proc.start("nats-server-" + starts, dir, List.of(bin.toString(), "-js",
        "-a", "127.0.0.1", "-p", Integer.toString(port),
        "-sd", dir.resolve("jetstream").toString()));
    process.await("nats-server listening on " + port, Duration.ofSeconds(15),
        () -> Proc.listening(port));
  }

  /** Stops the server (SIGTERM, as a service manager would) and waits until the port is free. */
  void stop() {
    process.close();
    Proc.waitFor("port " + port + " free", Duration.ofSeconds(10), () -> !Proc.listening(port));
  }

  String url() {
    return "nats://127.0.0.1:" + port;
  }

  /**
   * Publishes raw notifications on the shared query subject, bypassing the job client: what a
   * buggy publisher or a replayed stream would put there.
   */
  void publishNotifications(String... bodies) throws Exception {
    try (Connection c = io.nats.client.Nats.connect(url())) {
      JetStream js = c.jetStream();
      for (String b : bodies) {
        js.publish("jobs.query._any", b.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  String report() {
    return process == null ? "" : process.report();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
