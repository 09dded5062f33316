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
            // asynchronous publishes time out after the request timeout, without a timer each
            .requestCleanupInterval(settings.requestTimeout())
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
