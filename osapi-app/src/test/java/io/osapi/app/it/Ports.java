package io.osapi.app.it;

import java.io.IOException;
import java.io.UncheckedIOException;
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

  /** A port that was free a moment ago. */
  public static int free() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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
