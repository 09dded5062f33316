package io.osapi.app.cli;

import io.osapi.app.config.JobKeyFiles;
import io.osapi.app.config.JobKeys;
import io.osapi.core.service.JobSigner;
import io.osapi.core.service.JobVerifier;
import io.osapi.core.service.WorkerKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Option;

/** The keys of privileged jobs: the controller's signing key, the worker's public keys. */
final class JobKeyOptions {
  private JobKeyOptions() {}

  /** {@code --job-signing-key-file}: the controller and the all-in-one. */
  static final class Signing {
    @Option(
        names = "--job-signing-key-file",
        paramLabel = "FILE",
        description = "The Ed25519 key pair privileged jobs are signed with, mode 600 (make one"
            + " with `keys create-job-signing`); without it the controller creates no privileged"
            + " job, and the all-in-one makes a key at start (default: none).")
    Path file;
  }

  /** {@code --job-verify-key-file}: the worker and the all-in-one. */
  static final class Verify {
    @Option(
        names = "--job-verify-key-file",
        paramLabel = "FILE",
        description = "The public keys (public-key: lines; two while keys rotate) a privileged"
            + " job's signature is checked with; without it the worker runs no privileged job"
            + " (default: none).")
    Path file;
  }

  /** A controller's keys. */
  static JobKeys controller(Signing s) {
    return new JobKeys(
        Optional.ofNullable(s.file).map(f -> JobKeyFiles.signer("--job-signing-key-file", f)),
        Optional.empty());
  }

  /** A worker's keys. */
  static JobKeys worker(Verify v) {
    return new JobKeys(Optional.empty(),
        Optional.ofNullable(v.file).map(f -> JobKeyFiles.verifier("--job-verify-key-file", f)));
  }

  /**
   * The all-in-one's keys: the signing key file's, or a key made now (held in memory only); its
   * worker trusts that key and those of {@code --job-verify-key-file}.
   */
  static JobKeys allInOne(Signing s, Verify v) {
    JobSigner signer = s.file != null ? JobKeyFiles.signer("--job-signing-key-file", s.file)
        : JobSigner.of(WorkerKey.generate());
    List<String> trusted = new ArrayList<>(List.of(signer.publicKey()));
    if (v.file != null) {
      trusted.addAll(JobKeyFiles.verifier("--job-verify-key-file", v.file).publicKeys());
    }
    return new JobKeys(Optional.of(signer), Optional.of(JobVerifier.of(trusted)));
  }
}
