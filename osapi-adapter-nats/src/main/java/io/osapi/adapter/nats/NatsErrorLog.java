package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.Consumer;
import io.nats.client.ErrorListener;
import io.nats.client.JetStreamSubscription;
import io.nats.client.support.Status;
import java.lang.System.Logger.Level;

/** Logs jnats' asynchronous errors without secrets, and remembers the latest one. */
final class NatsErrorLog implements ErrorListener {
  private static final System.Logger LOG = System.getLogger(NatsBackend.class.getName());
  private final NatsSettings settings;
  private volatile String lastError;
  /** An authentication failure sticks until a connection succeeds: it explains what follows. */
  private volatile String authError;
  private volatile String lastLoggedError;

  NatsErrorLog(NatsSettings settings) {
    this.settings = settings;
  }

  /** The latest problem, or null. */
  String last() {
    return lastError;
  }

  /** Sets the latest problem without logging it (the caller logs). */
  void set(String message) {
    lastError = scrub(message);
  }

  /** Things work: no problem to report. */
  void clear() {
    lastError = null;
    lastLoggedError = null;
  }

  /** A connection succeeded: an authentication failure no longer explains anything. */
  void connected() {
    authError = null;
  }

  /**
   * Remembers and logs a problem (at {@code level} the first time, at debug when repeated); an
   * {@code auth} failure stays the problem reported until a connection succeeds.
   */
  void report(String message, Level level, boolean auth) {
    String m = scrub(message);
    if (auth) {
      authError = m;
    } else if (authError != null) {
      LOG.log(Level.DEBUG, "NATS: " + m);
      return; // the authentication failure stays the error to report
    }
    lastError = m;
    if (!m.equals(lastLoggedError)) {
      lastLoggedError = m;
      LOG.log(level, "NATS: " + m);
    } else {
      LOG.log(Level.DEBUG, "NATS: " + m);
    }
  }

  /** Removes any configured secret from {@code text}, whatever shape it is in. */
  private String scrub(String text) {
    String t = NatsErrors.redact(text);
    for (String secret :
        new String[] {settings.password(), settings.token(), settings.trustStorePassword()}) {
      if (secret != null && !secret.isEmpty()) {
        t = t.replace(secret, "***");
      }
    }
    return t;
  }

  @Override
  public void errorOccurred(Connection c, String error) {
    String e = String.valueOf(error);
    String lower = e.toLowerCase(java.util.Locale.ROOT);
    if (lower.contains("authorization") || lower.contains("authentication")) {
      report(
          "authentication failed ("
              + settings.authKind()
              + "): "
              + e
              + "; check the NATS credentials",
          Level.ERROR,
          true);
    } else {
      report("server error: " + e, Level.WARNING, false);
    }
  }

  @Override
  public void exceptionOccurred(Connection c, Exception ex) {
    String d = NatsErrors.describe(ex);
    if (ex instanceof io.nats.client.AuthenticationException) {
      report("authentication failed (" + settings.authKind() + "): " + d, Level.ERROR, true);
    } else {
      report("connection problem: " + d, Level.WARNING, false);
    }
  }

  @Override
  public void slowConsumerDetected(Connection c, Consumer consumer) {
    LOG.log(Level.WARNING, "NATS slow consumer detected");
  }

  @Override
  public void heartbeatAlarm(
      Connection c, JetStreamSubscription sub, long lastStreamSequence, long lastConsumerSequence) {
    LOG.log(Level.DEBUG, "NATS heartbeat alarm on a listing subscription");
  }

  @Override
  public void pullStatusWarning(Connection c, JetStreamSubscription sub, Status status) {
    LOG.log(Level.DEBUG, "NATS pull status warning: {0}", status);
  }

  @Override
  public void pullStatusError(Connection c, JetStreamSubscription sub, Status status) {
    LOG.log(Level.DEBUG, "NATS pull status error: {0}", status);
  }
}
