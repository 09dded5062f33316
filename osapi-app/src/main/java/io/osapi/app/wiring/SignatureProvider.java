package io.osapi.app.wiring;

import java.security.Provider;
import java.security.Security;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Installs Bouncy Castle's provider for the core's Ed25519 signatures (run ends, privileged jobs):
 * the core prefers it by name when installed, and it signs about ten times faster than the JDK
 * 17 provider (docs/performance.md, signed run ends). It is added last, so every other algorithm
 * the process asks for without naming a provider (TLS, digests, the API's JWTs) comes from the
 * same provider as before.
 */
final class SignatureProvider {
  private SignatureProvider() {}

  /** Installs the provider once per JVM; later calls change nothing. */
  static void install() {
    if (Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
      Provider p = new BouncyCastleProvider();
      Security.addProvider(p);
    }
  }
}
