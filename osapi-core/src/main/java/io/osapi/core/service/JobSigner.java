package io.osapi.core.service;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobSignature;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;

/**
 * The controller's side of privileged jobs: signs each with its Ed25519 key (a {@link WorkerKey}
 * pair, the JDK's own EdDSA) over {@link JobSignature#bytes}. Its key id is the fingerprint of its
 * public key, so a worker holding several public keys (a rotation) knows which one to check.
 */
public final class JobSigner {
  private final WorkerKey key;
  private final String keyId;

  private JobSigner(WorkerKey key) {
    this.key = Objects.requireNonNull(key, "key");
    this.keyId = key.fingerprint();
  }

  /** A signer with {@code key}'s private half. */
  public static JobSigner of(WorkerKey key) {
    return new JobSigner(key);
  }

  /** {@code job} signed, valid until {@code expires}. */
  public Job sign(Job job, Instant expires) {
    byte[] sig = key.signBytes(JobSignature.bytes(job.withSignature(null), keyId, expires));
    return job.withSignature(
        new JobSignature(keyId, expires, Base64.getEncoder().encodeToString(sig)));
  }

  /** The id of the key: the fingerprint of its public key. */
  public String keyId() {
    return keyId;
  }

  /** The public key (base64 of X.509), for the workers' verify key file. */
  public String publicKey() {
    return key.publicKey();
  }

  @Override
  public String toString() {
    return "JobSigner[" + keyId + "]"; // never the private key
  }
}
