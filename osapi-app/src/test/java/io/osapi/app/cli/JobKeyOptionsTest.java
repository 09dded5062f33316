package io.osapi.app.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.app.config.JobKeyFiles;
import io.osapi.app.config.ProcessSettings;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationPolicy;
import io.osapi.core.domain.Target;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keys create-job-signing}, {@code --job-signing-key-file}, {@code --job-verify-key-file}
 * and {@code --allow-operations}: the files they take and what a bad one does (exit 2 naming the
 * option).
 */
class JobKeyOptionsTest {
  @TempDir Path dir;

  private static ProcessSettings settings(String... args) {
    return ServerOptionsTest.settings(java.util.Map.of(), args);
  }

  private static Job job() {
    return new Job(JobId.generate(Clock.systemUTC()), Operation.of("command.exec"),
        OperationKind.MODIFY, Target.parse("_any"), Instant.now());
  }

  @Test
  void aKeyPairMadeByTheCliSignsOnTheControllerAndVerifiesOnTheWorker() throws Exception {
    Path key = dir.resolve("keys/job-signing.key");
    CliRun made = CliRun.run(Map.of(), "keys", "create-job-signing", "--out", key.toString());
    assertThat(made.code()).as(made.err()).isZero();
    assertThat(made.out()).startsWith("made job signing key SHA256:");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key)))
        .isEqualTo("rw-------");
    Path pub = dir.resolve("keys/job-signing.key.pub");
    assertThat(Files.readString(pub)).contains("public-key: ").doesNotContain("private-key");

    ProcessSettings controller = settings("controller", "--job-signing-key-file", key.toString());
    ProcessSettings worker = settings("worker", "--job-verify-key-file", pub.toString());
    assertThat(controller.jobKeys().verifier()).isEmpty();
    assertThat(worker.jobKeys().signer()).isEmpty();
    Job signed = controller.jobKeys().signer().orElseThrow().sign(job(),
        Instant.now().plusSeconds(60));
    assertThat(worker.jobKeys().verifier().orElseThrow()
        .refusal(signed, "w1", Map.of(), Instant.now())).isEmpty();

    CliRun again = CliRun.run(Map.of(), "keys", "create-job-signing", "--out", key.toString());
    assertThat(again.code()).isEqualTo(2);
    assertThat(again.err()).contains("exists already").contains("never overwritten");
  }

  @Test
  void withoutKeysTheControllerSignsNothingAndTheWorkerVerifiesNothing() {
    assertThat(settings("controller").jobKeys().signer()).isEmpty();
    assertThat(settings("worker").jobKeys().verifier()).isEmpty();
  }

  @Test
  void theAllInOneMakesAKeyItsWorkerTrusts() {
    ProcessSettings s = settings();
    Job signed = s.jobKeys().signer().orElseThrow().sign(job(), Instant.now().plusSeconds(60));
    assertThat(s.jobKeys().verifier().orElseThrow()
        .refusal(signed, "w1", Map.of(), Instant.now())).isEmpty();
    assertThat(settings().jobKeys().signer().orElseThrow().keyId())
        .as("a new key at each start").isNotEqualTo(s.jobKeys().signer().orElseThrow().keyId());
  }

  @Test
  void badKeyFilesAreRefusedNamingTheOption() throws Exception {
    Path key = dir.resolve("k");
    JobKeyFiles.create("--out", key);
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
    CliRun open = CliRun.run(Map.of(), "controller", "--job-signing-key-file", key.toString());
    assertThat(open.code()).isEqualTo(2);
    assertThat(open.err()).contains("--job-signing-key-file").contains("chmod 600");
    Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));

    CliRun privateOnWorker = CliRun.run(Map.of(), "worker", "--job-verify-key-file",
        key.toString());
    assertThat(privateOnWorker.code()).isEqualTo(2);
    assertThat(privateOnWorker.err()).contains("--job-verify-key-file")
        .contains("holds a private key: a worker holds the public key only");

    Path pub = JobKeyFiles.publicFile(key);
    Files.setPosixFilePermissions(pub, PosixFilePermissions.fromString("rw-rw-r--"));
    CliRun writable = CliRun.run(Map.of(), "worker", "--job-verify-key-file", pub.toString());
    assertThat(writable.code()).isEqualTo(2);
    assertThat(writable.err()).contains("group or others may change the keys this worker trusts");

    Path empty = Files.writeString(dir.resolve("empty.pub"), "# nothing\n");
    CliRun none = CliRun.run(Map.of(), "worker", "--job-verify-key-file", empty.toString());
    assertThat(none.code()).isEqualTo(2);
    assertThat(none.err()).contains("holds no public-key: line");

    CliRun missing = CliRun.run(Map.of(), "controller", "--job-signing-key-file",
        dir.resolve("nope").toString());
    assertThat(missing.err()).contains("does not exist").contains("keys create-job-signing");
  }

  @Test
  void allowOperationsTakesGlobsAndRefusesBadOnes() {
    assertThat(settings("worker").requireWorker().allowed()).isEqualTo(OperationPolicy.defaults());
    assertThat(settings("worker", "--allow-operations", "system.*,command.exec")
        .requireWorker().allowed().globs()).containsExactly("system.*", "command.exec");
    assertThat(settings("--allow-operations", "diag.*").requireWorker().allowed().globs())
        .containsExactly("diag.*");
    CliRun bad = CliRun.run(Map.of(), "worker", "--allow-operations", "system.*,Command");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("--allow-operations").contains("'Command' is not an"
        + " operation glob");
    CliRun env = CliRun.run(Map.of("OSAPI_ALLOW_OPERATIONS", ""), "worker");
    assertThat(env.code()).isEqualTo(2);
    assertThat(env.err()).contains("--allow-operations").contains("no operation named");
  }
}
