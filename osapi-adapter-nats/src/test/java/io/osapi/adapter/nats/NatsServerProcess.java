package io.osapi.adapter.nats;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real {@code nats-server} process for integration tests: JetStream on, loopback only, a free
 * port, its own store directory. {@link #kill9()} and {@link #restart()} (same port, same store)
 * are for fault tests; {@link #close()} kills it and deletes the store.
 */
public final class NatsServerProcess implements AutoCloseable {
  private static final List<Path> CANDIDATES =
      List.of(Path.of("/usr/bin/nats-server"), Path.of("/usr/sbin/nats-server"),
          Path.of("/usr/local/bin/nats-server"));

  private final Path binary;
  private final int port;
  private final Path storeDir;
  private final Path logFile;
  private final List<String> extraArgs;
  private Process process;

  private NatsServerProcess(int port, Path storeDir, List<String> extraArgs) {
    this.binary = binary();
    this.port = port;
    this.storeDir = storeDir;
    this.logFile = storeDir.resolveSibling(storeDir.getFileName() + ".log");
    this.extraArgs = List.copyOf(extraArgs);
  }

  /** Starts a single JetStream server with {@code extraArgs} (for example {@code --user a}). */
  public static NatsServerProcess start(String... extraArgs) {
    NatsServerProcess p = prepare(extraArgs);
    p.launch();
    return p;
  }

  /** A server with a port and store chosen but not started yet: {@link #restart()} starts it. */
  public static NatsServerProcess prepare(String... extraArgs) {
    try {
      Path dir = Files.createTempDirectory("osapi-nats-");
      return new NatsServerProcess(freePort(), dir.resolve("store"), List.of(extraArgs));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Starts a three-node JetStream cluster on loopback ({@code --cluster}, {@code --routes},
   * {@code --cluster_name}, {@code --server_name}). Nodes are started in parallel so that the
   * cluster forms at once.
   */
  public static List<NatsServerProcess> startCluster(int nodes) {
    try {
      Path dir = Files.createTempDirectory("osapi-nats-cluster-");
      int[] ports = freePorts(2 * nodes);
      int[] clientPorts = new int[nodes];
      int[] clusterPorts = new int[nodes];
      for (int i = 0; i < nodes; i++) {
        clientPorts[i] = ports[2 * i];
        clusterPorts[i] = ports[2 * i + 1];
      }
      StringBuilder routes = new StringBuilder();
      for (int i = 0; i < nodes; i++) {
        if (i > 0) {
          routes.append(',');
        }
        routes.append("nats-route://127.0.0.1:").append(clusterPorts[i]);
      }
      List<NatsServerProcess> out = new ArrayList<>();
      for (int i = 0; i < nodes; i++) {
        NatsServerProcess p =
            new NatsServerProcess(
                clientPorts[i],
                dir.resolve("n" + (i + 1)),
                List.of(
                    "--server_name", "n" + (i + 1),
                    "--cluster_name", "osapi-test",
                    "--cluster", "nats://127.0.0.1:" + clusterPorts[i],
                    "--routes", routes.toString()));
        p.spawn();
        out.add(p);
      }
      for (NatsServerProcess p : out) {
        p.awaitPort();
      }
      sleep(300);
      for (NatsServerProcess p : out) {
        if (!p.isAlive()) {
          throw new IllegalStateException("a cluster node died at start:\n" + p.log());
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code nats://127.0.0.1:<port>}. */
  public String url() {
    return "nats://127.0.0.1:" + port;
  }

  /** The client port. */
  public int port() {
    return port;
  }

  /** Whether the process is running. */
  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Kills the server with SIGKILL: no shutdown, no flush. */
  public void kill9() {
    if (process == null) {
      return;
    }
    try {
      new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start().waitFor();
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (process.isAlive()) {
      throw new IllegalStateException("nats-server did not die on kill -9");
    }
  }

  /** Stops the server with SIGSTOP (it keeps its connections but answers nothing) or resumes it. */
  public void pause(boolean paused) {
    try {
      new ProcessBuilder("kill", paused ? "-STOP" : "-CONT", Long.toString(process.pid()))
          .inheritIO().start().waitFor();
      // the signal is delivered asynchronously: wait until the kernel shows the state asked for
      java.nio.file.Path stat = java.nio.file.Path.of("/proc", Long.toString(process.pid()), "stat");
      long end = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < end && java.nio.file.Files.exists(stat)) {
        String st = java.nio.file.Files.readString(stat);
        char state = st.charAt(st.lastIndexOf(')') + 2);
        if ((state == 'T' || state == 't') == paused) {
          break;
        }
        Thread.sleep(5);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Starts the server (again) on its port and store directory. */
  public void restart() {
    if (isAlive()) {
      throw new IllegalStateException("still running");
    }
    launch();
  }

  /** The server's log so far. */
  public String log() {
    try {
      return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  @Override
  public void close() {
    if (process != null && process.isAlive()) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    deleteTree(storeDir);
    try {
      Files.deleteIfExists(logFile);
      Files.deleteIfExists(storeDir.getParent()); // only once every node's files are gone
    } catch (IOException e) {
      // not empty yet, or best effort
    }
  }

  private void launch() {
    spawn();
    awaitPort();
  }

  private void spawn() {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.add("-js");
    cmd.add("-a");
    cmd.add("127.0.0.1");
    cmd.add("-p");
    cmd.add(Integer.toString(port));
    cmd.add("-sd");
    cmd.add(storeDir.toString());
    cmd.addAll(extraArgs);
    try {
      Files.createDirectories(storeDir);
      process =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
              .start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + binary, e);
    }
  }

  private void awaitPort() {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < end) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "nats-server exited with " + process.exitValue() + " at start:\n" + log());
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException e) {
        sleep(50);
      }
    }
    throw new IllegalStateException("nats-server did not open port " + port + ":\n" + log());
  }

  private static Path binary() {
    for (Path p : CANDIDATES) {
      if (Files.isExecutable(p)) {
        return p;
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path p = Path.of(dir, "nats-server");
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    throw new IllegalStateException(
        "nats-server is not installed (looked in " + CANDIDATES + " and PATH): these integration"
            + " tests need a real server; install it (Debian: apt-get install nats-server) or skip"
            + " them with -Dit.skip=true");
  }

  /** {@code n} distinct free ports, all held open until all are chosen. */
  private static int[] freePorts(int n) throws IOException {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] out = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        held.add(s);
        out[i] = s.getLocalPort();
      }
      return out;
    } finally {
      for (ServerSocket s : held) {
        s.close();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static void deleteTree(Path root) {
    if (root == null || !Files.exists(root)) {
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
