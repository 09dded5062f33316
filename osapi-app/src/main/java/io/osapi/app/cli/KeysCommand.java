package io.osapi.app.cli;

import io.osapi.app.config.JobKeyFiles;
import io.osapi.core.service.JobSigner;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code osapi-app keys create-job-signing --out FILE}: makes the key privileged jobs are signed with. */
@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    subcommands = {KeysCommand.CreateJobSigning.class},
    description = "Makes keys.")
public final class KeysCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return 0;
  }

  /** {@code keys create-job-signing --out FILE}. */
  @Command(
      name = "create-job-signing",
      mixinStandardHelpOptions = true,
      versionProvider = VersionProvider.class,
      description = "Makes an Ed25519 key pair for signing privileged jobs: FILE (mode 600, for"
          + " the controller's --job-signing-key-file) and FILE.pub (for the workers'"
          + " --job-verify-key-file). Never overwrites a file.")
  static final class CreateJobSigning implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", required = true,
        description = "Where the key pair goes; the public key goes to FILE.pub.")
    Path out;

    @Override
    public Integer call() {
      JobSigner s = JobKeyFiles.create("--out", out);
      spec.commandLine().getOut().println("made job signing key " + s.keyId() + ": " + out
          + " (private, mode 600: --job-signing-key-file of the controller), "
          + JobKeyFiles.publicFile(out) + " (public: --job-verify-key-file of the workers)");
      spec.commandLine().getOut().flush();
      return 0;
    }
  }
}
