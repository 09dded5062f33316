package io.osapi.adapter.nats;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * Captures everything logged through java.util.logging (where {@code System.Logger} goes by
 * default), at every level, with stack traces, and everything written to {@code System.err} and
 * {@code System.out}, until closed.
 */
final class LogCapture implements AutoCloseable {
  private final StringBuffer text = new StringBuffer();
  private final Handler handler;
  private final Logger root = Logger.getLogger("");
  private final Level oldLevel;
  private final PrintStream oldErr = System.err;
  private final PrintStream oldOut = System.out;

  private LogCapture() {
    SimpleFormatter f = new SimpleFormatter();
    handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            text.append(f.format(r));
            if (r.getThrown() != null) {
              StringWriter sw = new StringWriter();
              r.getThrown().printStackTrace(new PrintWriter(sw));
              text.append(sw);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    handler.setLevel(Level.ALL);
    oldLevel = root.getLevel();
    root.setLevel(Level.ALL);
    root.addHandler(handler);
    System.setErr(tee(oldErr));
    System.setOut(tee(oldOut));
  }

  static LogCapture start() {
    return new LogCapture();
  }

  String text() {
    return text.toString();
  }

  private PrintStream tee(PrintStream original) {
    OutputStream o =
        new OutputStream() {
          private final ByteArrayOutputStream line = new ByteArrayOutputStream();

          @Override
          public synchronized void write(int b) {
            original.write(b);
            line.write(b);
            if (b == '\n') {
              text.append(line.toString(StandardCharsets.UTF_8));
              line.reset();
            }
          }

          @Override
          public synchronized void flush() {
            original.flush();
            text.append(line.toString(StandardCharsets.UTF_8));
            line.reset();
          }
        };
    return new PrintStream(o, true, StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    System.err.flush();
    System.out.flush();
    System.setErr(oldErr);
    System.setOut(oldOut);
    root.removeHandler(handler);
    root.setLevel(oldLevel);
  }
}
