package io.osapi.app.http;

import com.sun.net.httpserver.HttpExchange;
import io.osapi.core.concurrent.DaemonThreads;
import java.io.IOException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The limits both JDK HTTP servers of a process (the REST API and {@code /metrics}) run with, so
 * that slow or stalled clients cannot freeze them.
 *
 * <p>The JDK's server ({@code sun.net.httpserver}) reads a request's line, headers and body with
 * blocking reads on a thread of the server's executor. A client that sends half a header and
 * stops therefore holds a thread, and with no time limit (the JDK default) it holds it for ever.
 * Three measures together keep a normal client answered:
 *
 * <ol>
 *   <li><b>Time limits</b> ({@link #apply()}, JDK system properties): a request must be read within
 *       {@value #MAX_REQUEST_SECONDS} s of its first byte ({@code sun.net.httpserver.maxReqTime}),
 *       and answered within {@value #MAX_RESPONSE_SECONDS} s after that ({@code maxRspTime});
 *       the JDK closes the connection otherwise. A connection that sends nothing is closed after
 *       {@value #MAX_REQUEST_SECONDS} s, an idle keep-alive connection after {@value
 *       #IDLE_SECONDS} s; the JDK checks every {@value #TIMER_MILLIS} ms. Each server accepts at
 *       most {@value #MAX_CONNECTIONS} connections ({@code jdk.httpserver.maxConnections}); more
 *       are closed at once.
 *   <li><b>A thread per exchange</b> ({@link #connectionPool}): the executor hands every request to
 *       its own thread, up to a cap, so a stalled one blocks only itself; past the cap the JDK
 *       closes the new connection. The work behind a request (a scrape, a job call) is bounded
 *       separately by each server with a semaphore.
 *   <li><b>Refused bodies close the connection</b> ({@link #closeConnection}): a body the server
 *       will not read (declared larger than it accepts) is answered and the connection closed
 *       without draining it, so a client that declares 100 MB and sends 2 bytes costs nothing.
 * </ol>
 *
 * <p>The JDK reads its properties once, when the first {@code HttpServer} of the JVM is created,
 * and they hold for the whole JVM, so {@link #apply()} is called once at process start, first thing
 * in {@code Main} (an embedding program calls it itself, before its first server). A property
 * already set (on the command line with {@code -D}) is left alone.
 */
public final class HttpLimits {
  /** Seconds a request (line, headers and body) may take to arrive: {@code maxReqTime}. */
  public static final int MAX_REQUEST_SECONDS = 10;

  /** Seconds from a fully read request to the end of its response: {@code maxRspTime}. */
  public static final int MAX_RESPONSE_SECONDS = 30;

  /** Seconds an idle keep-alive connection is kept: {@code idleInterval}. */
  public static final int IDLE_SECONDS = 30;

  /** Connections one server holds at most: {@code jdk.httpserver.maxConnections}. */
  public static final int MAX_CONNECTIONS = 1000;

  /** How often the JDK looks for connections past their time: {@code clockTick}, {@code timerMillis}. */
  public static final int TIMER_MILLIS = 1000;

  private HttpLimits() {}

  /**
   * Sets the JDK server's properties that are not set yet: {@code sun.net.httpserver.nodelay}
   * (without TCP_NODELAY each small response stalls ~40 ms), the time limits and the connection
   * cap. Idempotent; effective only before the first {@code HttpServer} of the JVM is created.
   */
  public static void apply() {
    setIfAbsent("sun.net.httpserver.nodelay", "true");
    setIfAbsent("sun.net.httpserver.maxReqTime", Integer.toString(MAX_REQUEST_SECONDS));
    setIfAbsent("sun.net.httpserver.maxRspTime", Integer.toString(MAX_RESPONSE_SECONDS));
    setIfAbsent("sun.net.httpserver.idleInterval", Integer.toString(IDLE_SECONDS));
    setIfAbsent("sun.net.httpserver.clockTick", Integer.toString(TIMER_MILLIS));
    setIfAbsent("sun.net.httpserver.timerMillis", Integer.toString(TIMER_MILLIS));
    setIfAbsent("jdk.httpserver.maxConnections", Integer.toString(MAX_CONNECTIONS));
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /**
   * An executor giving every exchange its own daemon thread, up to {@code max} at once; past that
   * it refuses, and the JDK server closes the connection. Idle threads end after 30 s.
   *
   * @param name the thread name prefix
   * @param max the most exchanges in progress at once (reading, waiting for a turn, answering)
   */
  public static ThreadPoolExecutor connectionPool(String name, int max) {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
            DaemonThreads.named(name),
            new ThreadPoolExecutor.AbortPolicy());
    return pool;
  }

  /**
   * Ends an exchange whose response was sent (with {@code Connection: close}) but whose request
   * body was not read: the returned exception, thrown out of the handler, makes the JDK server
   * close the connection at once. Closing the exchange instead would first read up to 64 KiB of
   * the body, blocking on a client that stalls.
   *
   * @param exchange the exchange, its response complete
   * @return the exception to throw
   */
  public static IOException closeConnection(HttpExchange exchange) {
    try {
      exchange.getResponseBody().flush();
    } catch (IOException | RuntimeException e) {
      // the client is gone: closing is all that is left
    }
    linger(exchange);
    return new RefusedBodyClosed();
  }

  /** How long a refused body that is still arriving is read and dropped before the close. */
  static final long LINGER_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

  /** The most of a refused body read and dropped before the close. */
  static final long LINGER_MAX_BYTES = 1024 * 1024;

  /**
   * Reads and drops what the client has already sent of a refused body, without blocking, for at
   * most {@link #LINGER_NANOS} and {@link #LINGER_MAX_BYTES}: closing a socket with unread bytes
   * in its buffer resets the connection, and the client may then lose the answer sent just
   * before. A client that stalls costs this thread those 100 ms, no more.
   */
  private static void linger(HttpExchange exchange) {
    long end = System.nanoTime() + LINGER_NANOS;
    long dropped = 0;
    byte[] buf = new byte[16 * 1024];
    try {
      java.io.InputStream in = exchange.getRequestBody();
      while (dropped < LINGER_MAX_BYTES && System.nanoTime() < end) {
        int n = in.available();
        if (n <= 0) {
          Thread.sleep(5);
          continue;
        }
        int r = in.read(buf, 0, Math.min(n, buf.length));
        if (r < 0) {
          return;
        }
        dropped += r;
      }
    } catch (IOException | RuntimeException e) {
      // the client is gone
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Thrown to make the JDK server close a connection whose request body is refused. */
  static final class RefusedBodyClosed extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedBodyClosed() {
      super("request body refused: connection closed", null);
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }
}
