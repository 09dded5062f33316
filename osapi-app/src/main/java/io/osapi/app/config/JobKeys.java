package io.osapi.app.config;

import io.osapi.core.service.JobSigner;
import io.osapi.core.service.JobVerifier;
import java.util.Objects;
import java.util.Optional;

/**
 * The keys of privileged jobs a process holds: a controller's signer ({@code
 * --job-signing-key-file}), a worker's verifier ({@code --job-verify-key-file}, public keys only),
 * both in the all-in-one.
 *
 * @param signer what the job client signs privileged jobs with; empty: it creates none
 * @param verifier what the worker checks them with; empty: it refuses every privileged job
 */
public record JobKeys(Optional<JobSigner> signer, Optional<JobVerifier> verifier) {
  /** Checks for nulls. */
  public JobKeys {
    Objects.requireNonNull(signer, "signer");
    Objects.requireNonNull(verifier, "verifier");
  }

  /** No keys: no privileged job is created or run. */
  public static JobKeys none() {
    return new JobKeys(Optional.empty(), Optional.empty());
  }
}
