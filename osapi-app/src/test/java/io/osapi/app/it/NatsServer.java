package io.osapi.app.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A real {@code nats-server} with JetStream on a free loopback port and a fresh store directory,
 * started by the test. Fails clearly when nats-server is not installed.
 */
final class NatsServer implements AutoCloseable {
  private final OsProcess process;
  private final int port;

  private NatsServer(OsProcess process, int port) {
    this.process = process;
    this.port = port;
  }

  static NatsServer start(Path dir) throws IOException {
    return start(dir, List.of());
  }

  /** A server with extra command-line arguments (such as {@code --auth TOKEN}). */
  static NatsServer start(Path dir, List<String> extra) throws IOException {
    Path bin = find();
    int port = Ports.freeBelowEphemeral();
    Path store = Files.createDirectories(dir.resolve("jetstream"));
    List<String> cmd = new java.util.ArrayList<>(List.of(bin.toString(), "-js", "-a", "127.0.0.1",
        "-p", Integer.toString(port), "-sd", store.toString()));
    cmd.addAll(extra);
    OsProcess p = OsProcess.start("nats-server", dir, Map.of(), cmd);
    NatsServer s = new NatsServer(p, port);
    p.await("nats-server listening on " + port, Duration.ofSeconds(15), s::accepts);
    return s;
  }

  /** The nats-server binary; fails clearly when it is not installed. */
  static Path find() {
    String path = System.getenv("PATH");
    for (String d : ((path == null ? "" : path) + ":/usr/bin:/usr/sbin:/usr/local/bin")
        .split(":")) {
      if (d.isEmpty()) {
        continue;
      }
      Path p = Path.of(d, "nats-server");
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    return fail("nats-server is not installed: the end-to-end tests need it"
        + " (apt-get install nats-server, or scripts/test.sh installs it)");
  }

  private boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** The client URL. */
  String url() {
    return "nats://127.0.0.1:" + port;
  }

  String report() {
    return process.report();
  }

  @Override
  public void close() {
    process.close();
  }
}
