package io.osapi.app.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** Free loopback ports for processes the tests start. */
public final class Ports {
  private Ports() {}

  /**
   * A free port below Linux's ephemeral range (32768 and up), for a server that clients try to
   * reach before it listens: a client retrying a port inside that range can connect to itself
   * (TCP self-connect) and take the port from the server.
   */
  public static int freeBelowEphemeral() {
    java.util.Random r = new java.util.Random();
    for (int i = 0; i < 500; i++) {
      int p = 10000 + r.nextInt(22000);
      if (!GIVEN.add(p)) {
        continue; // handed out already in this JVM
      }
      try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getLoopbackAddress())) {
        return s.getLocalPort();
      } catch (IOException e) {
        // taken: try another
      }
    }
    throw new IllegalStateException("no free port between 10000 and 32000");
  }

  /** Ports handed out by this JVM: never twice. */
  private static final java.util.Set<Integer> GIVEN =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port that was free a moment ago, below the ephemeral range like {@link
   * #freeBelowEphemeral}: a port the kernel gave out ({@code bind(0)}) goes straight back to its
   * pool, where another test JVM's {@code bind(0)} or any outgoing connection can take it before
   * the process the test starts binds it (seen with two test JVMs: "Address already in use").
   */
  public static int free() {
    return freeBelowEphemeral();
  }

  /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
  public static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
