package io.osapi.app.config;

import io.osapi.core.service.WorkerKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * A worker's key file: its Ed25519 key pair, made on first start, private to its owner (mode
 * 600; a file group or others may read or change is refused, as secret files are). Format, one
 * {@code name: value} per line, {@code #} comments:
 *
 * <pre>
 * private-key: base64 of PKCS#8
 * public-key: base64 of X.509
 * </pre>
 */
public final class WorkerKeyFile {
  private static final System.Logger LOG = System.getLogger(WorkerKeyFile.class.getName());

  private WorkerKeyFile() {}

  /**
   * The key pair in {@code file}, made and written there (with its directories) when the file
   * does not exist.
   *
   * @throws ConfigException naming {@code option} for a file that cannot be read, written, is not
   *     private, or holds no valid key pair
   */
  public static WorkerKey loadOrCreate(String option, Path file) {
    if (!Files.exists(file)) {
      create(option, file);
    }
    Secret.requirePrivate(option, file);
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
    String priv = null;
    String pub = null;
    for (String l : lines) {
      String t = l.strip();
      if (t.startsWith("private-key:")) {
        priv = t.substring("private-key:".length()).strip();
      } else if (t.startsWith("public-key:")) {
        pub = t.substring("public-key:".length()).strip();
      }
    }
    if (priv == null || pub == null) {
      throw new ConfigException(option, file + " is not an osapi worker key file (private-key:"
          + " and public-key: lines); move it away and a new key is made at the next start");
    }
    try {
      WorkerKey k = WorkerKey.of(priv, pub);
      LOG.log(System.Logger.Level.INFO, "worker key {0} (public key fingerprint {1}): accept it"
          + " with `osapi workers accept <worker id>` after comparing the fingerprint", file,
          k.fingerprint());
      return k;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(option, file + ": " + e.getMessage());
    }
  }

  private static void create(String option, Path file) {
    WorkerKey k = WorkerKey.generate();
    String text = "# osapi worker key (Ed25519): keep it private (mode 600). The public key goes\n"
        + "# into the worker's heartbeat; an operator accepts it (osapi workers accept ID).\n"
        + "private-key: " + k.privateKeyText() + "\n"
        + "public-key: " + k.publicKey() + "\n";
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      if (!Files.isDirectory(dir)) {
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rwx------")));
      }
      tmp = Files.createTempFile(dir, ".worker-key-", ".tmp",
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardCharsets.UTF_8);
      Files.move(tmp, file); // no replace: a process that made one first wins, its key is read
      tmp = null;
      LOG.log(System.Logger.Level.INFO, "made a new worker key in {0}", file);
    } catch (FileAlreadyExistsException e) {
      // made meanwhile by another process: read that one
    } catch (IOException | UnsupportedOperationException e) {
      throw new ConfigException(option, "cannot create the worker key file " + file + ": " + e);
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // best effort
        }
      }
    }
  }

  /**
   * The default key file of worker {@code workerId}: in systemd's state directory ({@code
   * STATE_DIRECTORY}, /var/lib/osapi for the Debian units) when set, else under {@code
   * ~/.local/state/osapi}.
   */
  public static Path defaultPath(String workerId) {
    String state = System.getenv("STATE_DIRECTORY");
    Path dir = state != null && !state.isBlank()
        ? Path.of(state.split(":")[0])
        : Path.of(System.getProperty("user.home"), ".local", "state", "osapi");
    return dir.resolve("worker-" + workerId + ".key");
  }
}
