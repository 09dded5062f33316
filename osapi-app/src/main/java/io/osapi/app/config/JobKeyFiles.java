package io.osapi.app.config;

import io.osapi.core.service.JobSigner;
import io.osapi.core.service.JobVerifier;
import io.osapi.core.service.WorkerKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The files of the job signing key: the controller's key pair (private, mode 600, the worker key
 * file's format: {@code private-key:} and {@code public-key:} lines) and the workers' public key
 * file ({@code public-key:} lines, one per key a worker trusts: two while keys rotate; a file
 * holding a private key is refused, workers hold public keys only).
 */
public final class JobKeyFiles {
  private static final System.Logger LOG = System.getLogger(JobKeyFiles.class.getName());
  private static final String PRIVATE = "private-key:";
  private static final String PUBLIC = "public-key:";

  private JobKeyFiles() {}

  /**
   * The signer of the key pair in {@code file}.
   *
   * @throws ConfigException naming {@code option} for a missing, unreadable or open file, or one
   *     without a valid key pair
   */
  public static JobSigner signer(String option, Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException(option, "file " + file + " does not exist (make one with"
          + " `osapi-app keys create-job-signing --out " + file + "`)");
    }
    Secret.requirePrivate(option, file);
    List<String> lines = read(option, file);
    String priv = value(lines, PRIVATE).stream().findFirst().orElse(null);
    String pub = value(lines, PUBLIC).stream().findFirst().orElse(null);
    if (priv == null || pub == null) {
      throw new ConfigException(option, file + " is not a job signing key file (private-key: and"
          + " public-key: lines)");
    }
    try {
      JobSigner s = JobSigner.of(WorkerKey.of(priv, pub));
      LOG.log(System.Logger.Level.INFO, "privileged jobs are signed with key {0} ({1})",
          s.keyId(), file);
      return s;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, file + ": " + e.getMessage());
    }
  }

  /**
   * The verifier of the public keys in {@code file}.
   *
   * @throws ConfigException naming {@code option} for a missing or unreadable file, one group or
   *     others may change, one holding a private key, or one without a valid public key
   */
  public static JobVerifier verifier(String option, Path file) {
    if (!Files.exists(file)) {
      throw new ConfigException(option, "file " + file + " does not exist");
    }
    try {
      Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
      if (p.contains(PosixFilePermission.GROUP_WRITE)
          || p.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new ConfigException(option, "file " + file + " is "
            + PosixFilePermissions.toString(p) + ": group or others may change the keys this"
            + " worker trusts; make it writable by its owner only (chmod 644 " + file + ")");
      }
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions here: nothing to check
    }
    List<String> lines = read(option, file);
    if (!value(lines, PRIVATE).isEmpty()) {
      throw new ConfigException(option, file + " holds a private key: a worker holds the public"
          + " key only (the .pub file `osapi-app keys create-job-signing` writes)");
    }
    List<String> keys = value(lines, PUBLIC);
    if (keys.isEmpty()) {
      throw new ConfigException(option, file + " holds no public-key: line");
    }
    try {
      JobVerifier v = JobVerifier.of(keys);
      LOG.log(System.Logger.Level.INFO, "privileged jobs are verified with keys {0} ({1})",
          v.keyIds(), file);
      return v;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, file + ": " + e.getMessage());
    }
  }

  /**
   * Makes a new key pair: {@code out} (mode 600) and {@code out.pub} (the public key, for the
   * workers). Neither may exist.
   *
   * @return the signer of the new key
   * @throws ConfigException naming {@code option} when a file exists or cannot be written
   */
  public static JobSigner create(String option, Path out) {
    Path pub = publicFile(out);
    WorkerKey k = WorkerKey.generate();
    JobSigner s = JobSigner.of(k);
    String header = "# osapi job signing key (Ed25519), key id " + s.keyId() + "\n";
    try {
      Path dir = out.toAbsolutePath().getParent();
      if (dir != null) {
        Files.createDirectories(dir);
      }
      Files.writeString(Files.createFile(out, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------"))), header + "# keep it private (mode 600):"
          + " the controller signs privileged jobs with it (--job-signing-key-file)\n"
          + PRIVATE + " " + k.privateKeyText() + "\n" + PUBLIC + " " + k.publicKey() + "\n",
          StandardCharsets.UTF_8);
      Files.writeString(Files.createFile(pub), header + "# the public key: give it to the"
          + " workers (--job-verify-key-file)\n" + PUBLIC + " " + k.publicKey() + "\n",
          StandardCharsets.UTF_8);
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException(option, "file " + e.getFile() + " exists already: choose another"
          + " name (a key is never overwritten)");
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException(option, "cannot write " + out + ": " + e);
    }
    return s;
  }

  /** Where {@link #create} writes the public key of {@code out}. */
  public static Path publicFile(Path out) {
    return out.resolveSibling(out.getFileName() + ".pub");
  }

  private static List<String> read(String option, Path file) {
    try {
      if (Files.size(file) > 64 * 1024) {
        throw new ConfigException(option, "file " + file + " is larger than 64 KiB");
      }
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(option, "file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
  }

  private static List<String> value(List<String> lines, String name) {
    List<String> out = new ArrayList<>();
    for (String l : lines) {
      String t = l.strip();
      if (t.startsWith(name)) {
        out.add(t.substring(name.length()).strip());
      }
    }
    return out;
  }
}
