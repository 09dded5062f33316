package io.osapi.app.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * HTTP over a raw socket, for what {@link java.net.http.HttpClient} will not send: any {@code
 * Host}, half a request, a declared body that never comes.
 */
public final class RawHttp {
  private RawHttp() {}

  /**
   * What came back on a connection.
   *
   * @param text everything read, as ISO-8859-1
   * @param closed whether the server closed the connection within the wait
   * @param millis how long the wait lasted
   */
  public record Reply(String text, boolean closed, long millis) {
    /** The status code of the first response, or 0. */
    public int status() {
      if (!text.startsWith("HTTP/1.1 ")) {
        return 0;
      }
      return Integer.parseInt(text.substring(9, 12));
    }

    /** The body of the first response (after the blank line). */
    public String body() {
      int i = text.indexOf("\r\n\r\n");
      return i < 0 ? "" : text.substring(i + 4);
    }
  }

  /** Opens a connection to loopback {@code port}. */
  public static Socket open(int port) throws IOException {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
    return s;
  }

  /**
   * Sends {@code request} and reads until the server closes the connection or {@code wait}
   * passes.
   */
  public static Reply send(int port, String request, Duration wait) throws IOException {
    try (Socket s = open(port)) {
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      return read(s, wait);
    }
  }

  /** Reads until the server closes the connection or {@code wait} passes. */
  public static Reply read(Socket s, Duration wait) throws IOException {
    long start = System.nanoTime();
    long deadline = start + wait.toNanos();
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    InputStream in = s.getInputStream();
    byte[] buf = new byte[8192];
    boolean closed = false;
    while (true) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        break;
      }
      s.setSoTimeout((int) Math.max(1, left));
      int n;
      try {
        n = in.read(buf);
      } catch (SocketTimeoutException e) {
        break;
      } catch (IOException e) {
        closed = true; // reset
        break;
      }
      if (n < 0) {
        closed = true;
        break;
      }
      got.write(buf, 0, n);
    }
    return new Reply(got.toString(StandardCharsets.ISO_8859_1), closed,
        (System.nanoTime() - start) / 1_000_000);
  }
}
