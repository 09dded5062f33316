package io.osapi.app.it;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.Nats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real {@code nats-server} with JetStream on a free loopback port and a file store in the test's
 * directory, started by the test. It can be stopped (SIGTERM) or killed (SIGKILL) and started
 * again on the same port and store directory: a NATS restart as an operator or a crash sees one.
 * Fails clearly when nats-server is not installed.
 *
 * <p>Shared by the end-to-end, reliability and doc tests.
 */
public final class NatsServer implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extra;
  private int starts;
  private OsProcess process;

  private NatsServer(Path dir, int port, List<String> extra) {
    this.dir = dir;
    this.port = port;
    this.extra = List.copyOf(extra);
  }

  public static NatsServer start(Path dir) throws IOException {
    return start(dir, List.of());
  }

  /** A server with extra command-line arguments (such as {@code --auth TOKEN}). */
  public static NatsServer start(Path dir, List<String> extra) throws IOException {
    NatsServer s = new NatsServer(dir, Ports.freeBelowEphemeral(), extra);
    Files.createDirectories(s.store());
    s.startAgain();
    return s;
  }

  private Path store() {
    return dir.resolve("jetstream");
  }

  /** The nats-server binary; fails clearly when it is not installed. */
  public static Path find() {
    return OsProcess.binary("nats-server", "nats-server (or scripts/test.sh installs it)");
  }

  /** Starts the server (again) on the same port and store directory; waits until it listens. */
  public void startAgain() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("nats-server is still running");
    }
    starts++;
    List<String> cmd = new ArrayList<>(List.of(find().toString(), "-js", "-a", "127.0.0.1",
        "-p", Integer.toString(port), "-sd", store().toString()));
    cmd.addAll(extra);
    process = OsProcess.start(starts == 1 ? "nats-server" : "nats-server-" + starts, dir,
        Map.of(), cmd);
    process.await("nats-server listening on " + port, Duration.ofSeconds(15),
        () -> Ports.listening(port));
  }

  /** Stops the server with SIGTERM (as a service manager would); waits until the port is free. */
  public void stop() {
    process.close();
    OsProcess.waitFor("port " + port + " free", Duration.ofSeconds(10),
        () -> !Ports.listening(port));
  }

  /** Kills the server with SIGKILL (a crash: no clean shutdown of the store); port freed. */
  public void kill() {
    process.kill();
    OsProcess.waitFor("port " + port + " free", Duration.ofSeconds(10),
        () -> !Ports.listening(port));
  }

  /** How often it was started. */
  public int starts() {
    return starts;
  }

  public int port() {
    return port;
  }

  /** The client URL. */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** A jnats connection to this server; the caller closes it. */
  public Connection connect() throws IOException, InterruptedException {
    return Nats.connect(url());
  }

  /**
   * Publishes raw notifications on the shared query subject, bypassing the job client: what a
   * buggy publisher or a replayed stream would put there.
   */
  public void publishNotifications(String... bodies) throws Exception {
    try (Connection c = connect()) {
      JetStream js = c.jetStream();
      for (String b : bodies) {
        js.publish("jobs.query._any", b.getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  /**
   * Publishes the notification of job {@code jobId} once more, as a new message (no
   * de-duplication id), the way a server that lost its consumer state hands out a job again.
   */
  public void republishNotification(String jobId) throws Exception {
    try (Connection c = connect()) {
      io.nats.client.JetStreamManagement jsm = c.jetStreamManagement();
      long last = jsm.getStreamInfo("JOBS").getStreamState().getLastSequence();
      for (long seq = last; seq >= 1; seq--) {
        io.nats.client.api.MessageInfo m;
        try {
          m = jsm.getMessage("JOBS", seq);
        } catch (io.nats.client.JetStreamApiException e) {
          continue; // deleted or aged out
        }
        if (m.getHeaders() != null && jobId.equals(m.getHeaders().getFirst("Nats-Msg-Id"))) {
          c.jetStream().publish(m.getSubject(), m.getData());
          return;
        }
      }
      throw new IllegalStateException("no notification of job " + jobId + " in stream JOBS");
    }
  }

  public String report() {
    return process == null ? "" : process.report();
  }

  @Override
  public void close() {
    if (process != null) {
      process.close();
    }
  }
}
