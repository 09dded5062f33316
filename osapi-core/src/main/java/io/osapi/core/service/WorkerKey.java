package io.osapi.core.service;

import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunEnd;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Verification;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A worker's Ed25519 key pair (signed and checked by {@link Ed25519}'s provider): it signs the ends of the runs the worker
 * writes ({@link #sign}), and its public half goes into the worker's heartbeat, for an operator to
 * accept. {@link #verify} is the reader's side. Keys travel as base64 of their standard encodings
 * (PKCS#8 private, X.509 public).
 */
public final class WorkerKey {
  /** The JDK name of the algorithm. */
  public static final String ALGORITHM = Ed25519.ALGORITHM;

  private final PrivateKey privateKey;
  private final String publicKey;
  /** The private key as the last signing provider's own key object ({@link #signingKey}). */
  private volatile ProviderKey signing;

  /** A private key of {@code provider}'s own. */
  private record ProviderKey(Provider provider, PrivateKey key) {}

  private WorkerKey(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
    this.publicKey = Base64.getEncoder().encodeToString(publicKey.getEncoded());
  }

  /** A new random key pair. */
  public static WorkerKey generate() {
    try {
      KeyPair kp = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
      return new WorkerKey(kp.getPrivate(), kp.getPublic());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
    }
  }

  /**
   * The pair of {@code privatePkcs8} and {@code publicX509}, both base64, after checking that they
   * belong together.
   *
   * @throws IllegalArgumentException when either is not an Ed25519 key or they do not match
   */
  public static WorkerKey of(String privatePkcs8, String publicX509) {
    try {
      KeyFactory f = KeyFactory.getInstance(ALGORITHM);
      PrivateKey priv = f.generatePrivate(
          new PKCS8EncodedKeySpec(Base64.getDecoder().decode(privatePkcs8.strip())));
      PublicKey pub = publicKey(publicX509);
      WorkerKey k = new WorkerKey(priv, pub);
      byte[] probe = "osapi key check".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      Signature v = Ed25519.signature();
      v.initVerify(pub);
      v.update(probe);
      if (!v.verify(k.signBytes(probe))) {
        throw new IllegalArgumentException("the private and public keys do not belong together");
      }
      return k;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an " + ALGORITHM + " key pair: " + e.getMessage(), e);
    }
  }

  /**
   * The name of the provider that makes and checks the signatures now: {@code BC} when the
   * process installed Bouncy Castle's (osapi-app does), else the JDK's {@code SunEC}.
   */
  public static String providerName() {
    return Ed25519.providerName();
  }

  /** The private key, base64 of PKCS#8, for the key file. */
  public String privateKeyText() {
    return Base64.getEncoder().encodeToString(privateKey.getEncoded());
  }

  /** The public key, base64 of X.509: what the heartbeat announces. */
  public String publicKey() {
    return publicKey;
  }

  /** {@code SHA256:} and the first 16 bytes of the public key's SHA-256, in hex. */
  public String fingerprint() {
    return fingerprint(publicKey);
  }

  /** The fingerprint of a public key given as {@link #publicKey} text. */
  public static String fingerprint(String publicKeyText) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(Base64.getDecoder().decode(publicKeyText));
      return "SHA256:" + HexFormat.of().formatHex(d, 0, 16);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return "invalid";
    }
  }

  /** {@code end} (a terminal run stored under {@code key}) with this key's signature. */
  public Run sign(RunKey key, Run end) {
    return end.withSignature(
        Base64.getEncoder().encodeToString(signBytes(RunEnd.bytes(key, end.withSignature(null)))));
  }

  /** The Ed25519 signature of {@code data} (also the job signer's). */
  byte[] signBytes(byte[] data) {
    try {
      Signature s = Ed25519.signature();
      s.initSign(signingKey(s.getProvider()));
      s.update(data);
      return s.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("signing failed", e);
    }
  }

  /**
   * The private key as {@code provider}'s own key object, made once per provider (the process
   * may install or remove one between two signatures): see {@link Ed25519#privateKeyOf}.
   */
  private PrivateKey signingKey(Provider provider) {
    ProviderKey k = signing;
    if (k == null || k.provider() != provider) {
      k = new ProviderKey(provider, Ed25519.privateKeyOf(provider, privateKey));
      signing = k;
    }
    return k.key();
  }

  /**
   * Whether {@code run} under {@code key} is the answer of the worker it names: null for a run
   * that has not ended; verified when signed by that worker's accepted key ({@code decision},
   * null when none); else unverified, with why.
   */
  public static Verification verify(RunKey key, Run run, KeyDecision decision) {
    return verify(key, run, decision, null);
  }

  /**
   * {@link #verify(RunKey, Run, KeyDecision)} with the decision's key decoded already ({@link
   * #verifyingKey} of its text; null: decoded here).
   */
  static Verification verify(RunKey key, Run run, KeyDecision decision, PublicKey decoded) {
    if (!run.state().terminal()) {
      return null;
    }
    if (run.signature() == null) {
      return Verification.unverified("not signed by a worker");
    }
    if (run.worker() == null) {
      return Verification.unverified("signed, but names no worker");
    }
    if (decision == null || !decision.workerId().equals(run.worker())) {
      return Verification.unverified("no accepted key for worker " + run.worker());
    }
    if (decision.state() != KeyState.ACCEPTED) {
      return Verification.unverified("the key of worker " + run.worker() + " is rejected");
    }
    try {
      Signature v = Ed25519.signature();
      v.initVerify(decoded != null ? decoded : verifyingKey(decision.publicKey()));
      v.update(RunEnd.bytes(key, run));
      if (v.verify(Base64.getDecoder().decode(run.signature()))) {
        return Verification.VERIFIED;
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      // a malformed signature is a wrong one
    }
    return Verification.unverified(
        "signature does not match the accepted key of worker " + run.worker());
  }

  /**
   * Checks that {@code text} is an Ed25519 public key in {@link #publicKey} form.
   *
   * @throws IllegalArgumentException when it is not
   */
  public static String requirePublicKey(String text) {
    try {
      publicKey(text);
      return text;
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an " + ALGORITHM + " public key", e);
    }
  }

  /**
   * The public key of {@link #publicKey} text as the verifying provider's own key object (see
   * {@link Ed25519#publicKeyOf}).
   */
  static PublicKey verifyingKey(String text) throws GeneralSecurityException {
    return Ed25519.publicKeyOf(Base64.getDecoder().decode(text.strip()));
  }

  /** The public key of {@link #publicKey} text. */
  static PublicKey publicKey(String text) throws GeneralSecurityException {
    return KeyFactory.getInstance(ALGORITHM)
        .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(text.strip())));
  }

  @Override
  public String toString() {
    return "WorkerKey[" + fingerprint() + "]"; // never the private key
  }
}
