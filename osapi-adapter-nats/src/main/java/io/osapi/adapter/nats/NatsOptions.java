package io.osapi.adapter.nats;

import io.nats.client.ConnectionListener;
import io.nats.client.ErrorListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The jnats connection options for {@link NatsSettings}: servers, reconnects, timeouts,
 * authentication and TLS. Passwords and tokens never appear in messages.
 */
final class NatsOptions {
  private static final System.Logger LOG = System.getLogger(NatsOptions.class.getName());
  /**
   * How often a connection that received nothing since the last tick pings its server. With
   * {@link #MAX_PINGS_OUT} this is how a server that stops answering while its TCP connection
   * stays open (a hung host, SIGSTOP, a one-way partition) is found: 4 to 5 s after it froze
   * the connection is dropped and replaced by one to another server of the list (jnats' defaults,
   * 2 minutes and 2, would take over 4 minutes, and every request meanwhile times out).
   */
  static final java.time.Duration PING_INTERVAL = java.time.Duration.ofSeconds(1);
  /** Pings without a pong before the connection is taken as stale (see {@link #PING_INTERVAL}). */
  static final int MAX_PINGS_OUT = 3;
  /**
   * How often jnats times out asynchronous requests (publish acknowledgements): a publish sent to
   * a server that stopped answering fails at most this long after its request timeout.
   */
  static final java.time.Duration CLEANUP_INTERVAL = java.time.Duration.ofMillis(250);

  private NatsOptions() {}

  static Options build(NatsSettings settings, ConnectionListener listener, ErrorListener errors) {
    Options.Builder b =
        new Options.Builder()
            .servers(settings.servers().toArray(new String[0]))
            .connectionName(settings.connectionName())
            .reconnectWait(settings.reconnectWait())
            .maxReconnects(settings.maxReconnects())
            .connectionTimeout(settings.connectTimeout())
            .connectionListener(listener)
            .errorListener(errors)
            .pingInterval(PING_INTERVAL)
            .maxPingsOut(MAX_PINGS_OUT)
            // asynchronous publishes time out after the request timeout, without a timer each
            .requestCleanupInterval(CLEANUP_INTERVAL.compareTo(settings.requestTimeout()) < 0
                ? CLEANUP_INTERVAL : settings.requestTimeout())
            .useTimeoutException();
    if (settings.user() != null) {
      b.userInfo(settings.user().toCharArray(), settings.password().toCharArray());
    }
    if (settings.token() != null) {
      b.token(settings.token().toCharArray());
    }
    if (settings.credsFile() != null) {
      if (!Files.isReadable(settings.credsFile())) {
        throw new IllegalArgumentException(
            "nats creds file " + settings.credsFile() + " is missing or not readable");
      }
      b.authHandler(Nats.credentials(settings.credsFile().toString()));
    }
    if (settings.trustStore() != null) {
      b.sslContext(sslContext(settings));
    } else if (settings.insecureDevTls()) {
      LOG.log(
          Level.WARNING,
          "NATS TLS certificates are NOT verified (insecure-dev-tls): for development only");
      try {
        b.opentls();
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
      }
    }
    return b.build();
  }

  private static SSLContext sslContext(NatsSettings settings) {
    if (!Files.isReadable(settings.trustStore())) {
      throw new IllegalArgumentException(
          "nats trust store " + settings.trustStore() + " is missing or not readable");
    }
    char[] pw =
        settings.trustStorePassword() == null ? null : settings.trustStorePassword().toCharArray();
    try (InputStream in = new FileInputStream(settings.trustStore().toFile())) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(in, pw);
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      // KeyStore messages do not contain the password
      throw new IllegalArgumentException(
          "nats trust store " + settings.trustStore() + " cannot be read: " + e.getMessage(), e);
    }
  }
}
