package io.osapi.core.service;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Provider;
import java.security.Security;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;

/**
 * Where every Ed25519 signature of the core is made and checked (run ends, privileged jobs, key
 * checks). RFC 8032 signatures are deterministic: any provider gives the same bytes for the same
 * key and data, and any verifies any other's. So the fastest provider installed is used: Bouncy
 * Castle's ({@value #PREFERRED}) when the process installed it (osapi-app does), which signs in
 * about 50 us and verifies in about 70 us on the 2-core bench machine against the JDK's 490 us
 * and 470 us (docs/performance.md, signed run ends); else the JDK's own. The core names the
 * provider, it does not depend on it.
 */
final class Ed25519 {
  /** The JDK name of the algorithm. */
  static final String ALGORITHM = "Ed25519";

  /** The name of the provider preferred when installed: Bouncy Castle's. */
  static final String PREFERRED = "BC";

  private Ed25519() {}

  /** A new signature object, of the preferred provider when it is installed and offers Ed25519. */
  static Signature signature() throws NoSuchAlgorithmException {
    Provider p = Security.getProvider(PREFERRED);
    if (p != null && p.getService("Signature", ALGORITHM) != null) {
      return Signature.getInstance(ALGORITHM, p);
    }
    return Signature.getInstance(ALGORITHM);
  }

  /**
   * {@code key} as {@code provider}'s own key object ({@code key} itself when the provider cannot
   * make one). A provider given another's key decodes it again on every {@code initSign}: Bouncy
   * Castle's then derives the public half once more for each signature, a second scalar
   * multiplication as costly as the signature's own (about half of a worker's CPU per signed end);
   * its own key object keeps the public half.
   */
  static PrivateKey privateKeyOf(Provider provider, PrivateKey key) {
    try {
      return KeyFactory.getInstance(ALGORITHM, provider)
          .generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    } catch (GeneralSecurityException | RuntimeException e) {
      return key;
    }
  }

  /**
   * The public key of {@code x509} (an X.509 encoding) as the key object of the provider {@link
   * #signature()} uses now: given a key of its own, Bouncy Castle's verification does not decode it
   * again for every end (about a sixth of a verification).
   *
   * @throws GeneralSecurityException when it is not an Ed25519 public key
   */
  static PublicKey publicKeyOf(byte[] x509) throws GeneralSecurityException {
    Provider p = Security.getProvider(PREFERRED);
    KeyFactory f = p != null && p.getService("KeyFactory", ALGORITHM) != null
        ? KeyFactory.getInstance(ALGORITHM, p) : KeyFactory.getInstance(ALGORITHM);
    return f.generatePublic(new X509EncodedKeySpec(x509));
  }

  /** The name of the provider {@link #signature()} uses now, for logs and tests. */
  static String providerName() {
    try {
      return signature().getProvider().getName();
    } catch (NoSuchAlgorithmException e) {
      return "none";
    }
  }
}
