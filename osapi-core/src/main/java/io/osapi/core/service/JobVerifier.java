package io.osapi.core.service;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobSignature;
import io.osapi.core.domain.Target;
import java.security.GeneralSecurityException;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A worker's side of privileged jobs: the controllers' public keys (several during a rotation,
 * by key id) and the check made before a privileged job is claimed. A job passes when it carries a
 * signature by one of these keys over exactly its id, operation, data, target, creation time and
 * expiry, the expiry has not passed, and its target reaches this worker (a job signed for host
 * {@code web01} is not run by {@code web02}, whatever the notification's expected list says).
 * Workers hold public keys only: nothing here can sign.
 */
public final class JobVerifier {
  /** The keys trusted by id, as the JDK decodes them (checked once, at construction). */
  private final Map<String, PublicKey> keys;
  private final List<String> publicKeys;
  /** The same keys as the verifying provider's own key objects, made at its first check. */
  private volatile Verifying verifying;

  /**
   * The trusted keys as {@code provider}'s own key objects ({@link Ed25519#publicKeyOf}): Bouncy
   * Castle given the JDK's key decodes it again for every verification.
   */
  private record Verifying(Provider provider, Map<String, PublicKey> keys) {}

  private JobVerifier(Map<String, PublicKey> keys, List<String> publicKeys) {
    this.keys = Map.copyOf(keys);
    this.publicKeys = List.copyOf(publicKeys);
  }

  /**
   * A verifier trusting {@code publicKeys} (base64 of X.509, as {@link WorkerKey#publicKey}).
   *
   * @throws IllegalArgumentException for none, or one that is not an Ed25519 public key
   */
  public static JobVerifier of(Collection<String> publicKeys) {
    Map<String, PublicKey> m = new LinkedHashMap<>();
    List<String> texts = new ArrayList<>();
    for (String k : publicKeys) {
      try {
        if (m.put(WorkerKey.fingerprint(k.strip()), WorkerKey.publicKey(k)) == null) {
          texts.add(k.strip());
        }
      } catch (GeneralSecurityException | IllegalArgumentException e) {
        throw new IllegalArgumentException("not an " + WorkerKey.ALGORITHM + " public key: "
            + e.getMessage(), e);
      }
    }
    if (m.isEmpty()) {
      throw new IllegalArgumentException("no public key given");
    }
    return new JobVerifier(m, texts);
  }

  /** The public keys trusted (base64 of X.509). */
  public List<String> publicKeys() {
    return publicKeys;
  }

  /** The ids of the keys trusted (their fingerprints). */
  public Collection<String> keyIds() {
    return keys.keySet();
  }

  /**
   * Why {@code job} must not run on worker {@code workerId} with {@code labels} at {@code now}, or
   * empty when its signature holds.
   */
  public Optional<String> refusal(Job job, String workerId, Map<String, String> labels,
      Instant now) {
    JobSignature s = job.signature();
    if (s == null) {
      return Optional.of("it is not signed");
    }
    if (!keys.containsKey(s.keyId())) {
      return Optional.of("it is signed with key " + s.keyId() + ", which this worker does not"
          + " trust (--job-verify-key-file)");
    }
    boolean ok;
    try {
      Signature v = Ed25519.signature();
      v.initVerify(verifyingKey(s.keyId(), v.getProvider()));
      v.update(JobSignature.bytes(job, s.keyId(), s.expires()));
      ok = v.verify(Base64.getDecoder().decode(s.value()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      ok = false; // a malformed signature is a wrong one
    }
    if (!ok) {
      return Optional.of("its signature does not match its content");
    }
    if (now.isAfter(s.expires())) {
      return Optional.of("its signature expired at " + s.expires());
    }
    if (!reaches(job.target(), workerId, labels)) {
      return Optional.of("it is signed for target " + job.target().text() + ", which does not"
          + " reach this worker");
    }
    return Optional.empty();
  }

  /**
   * Trusted key {@code keyId} as {@code provider}'s own key object: made for every trusted key
   * the first time a provider verifies, again when another provider is preferred from then on
   * (Bouncy Castle installed after the worker started); the JDK's key when the provider cannot
   * make one.
   */
  private PublicKey verifyingKey(String keyId, Provider provider) {
    Verifying v = verifying;
    if (v == null || v.provider() != provider) {
      Map<String, PublicKey> own = new LinkedHashMap<>();
      for (Map.Entry<String, PublicKey> e : keys.entrySet()) {
        PublicKey k;
        try {
          k = Ed25519.publicKeyOf(e.getValue().getEncoded());
        } catch (GeneralSecurityException | RuntimeException x) {
          k = e.getValue();
        }
        own.put(e.getKey(), k);
      }
      v = new Verifying(provider, Map.copyOf(own));
      verifying = v;
    }
    return v.keys().get(keyId);
  }

  private static boolean reaches(Target t, String workerId, Map<String, String> labels) {
    if (t instanceof Target.Host h) {
      return h.workerId().equals(workerId);
    }
    if (t instanceof Target.Label l) {
      return l.matches(labels.get(l.key()));
    }
    return true; // _any, _all
  }

  @Override
  public String toString() {
    return "JobVerifier" + keys.keySet();
  }

  /** Equal verifiers trust the same keys. */
  @Override
  public boolean equals(Object o) {
    return o instanceof JobVerifier v && Objects.equals(v.keys.keySet(), keys.keySet());
  }

  @Override
  public int hashCode() {
    return keys.keySet().hashCode();
  }
}
