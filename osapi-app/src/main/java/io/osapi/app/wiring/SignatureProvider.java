package io.osapi.app.wiring;

import io.osapi.core.concurrent.DaemonThreads;
import java.security.Provider;
import java.security.Security;
import java.util.concurrent.CompletableFuture;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Installs Bouncy Castle's provider for the core's Ed25519 signatures (run ends, privileged jobs):
 * the core prefers it by name when installed, and it signs about ten times faster than the JDK
 * 17 provider (docs/performance.md, signed run ends). It is added last, so every other algorithm
 * the process asks for without naming a provider (TLS, digests, the API's JWTs) comes from the
 * same provider as before.
 *
 * <p>Making the provider costs about 0.2 s of CPU (its tables), so a process installs it on a
 * thread of its own ({@link #installInBackground()}) instead of starting later: until it is in, the
 * JDK's provider signs, with the very same bytes.
 */
final class SignatureProvider {
  private SignatureProvider() {}

  /** Installs the provider once per JVM; later calls change nothing. */
  static synchronized void install() {
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Provider p = new BouncyCastleProvider();
      Security.addProvider(p);
    }
  }

  /** {@link #install()} on a daemon thread; the future completes once the provider is in. */
  static CompletableFuture<Void> installInBackground() {
    return CompletableFuture.runAsync(SignatureProvider::install,
        r -> DaemonThreads.single("osapi-signature-provider").newThread(r).start());
  }
}
