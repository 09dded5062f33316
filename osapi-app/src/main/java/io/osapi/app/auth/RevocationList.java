package io.osapi.app.auth;

import io.osapi.app.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The deny list of token ids ({@code --api-token-revoked-file}): one {@code jti} per line, blank
 * lines and {@code #} comments ignored. The file is looked at again at most once per {@link
 * #CHECK_INTERVAL_NANOS} (a request then compares its modification time and size, and reads it
 * only when they changed), so the hot path is a volatile read and a hash look-up.
 *
 * <p>Fails closed: the file must exist at start; if it later vanishes or cannot be read, the last
 * list read stays in force (with a warning) rather than an empty one.
 */
public final class RevocationList {
  /** How often the file is checked for changes: once a second at most. */
  public static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private static final System.Logger LOG = System.getLogger(RevocationList.class.getName());
  private static final long MAX_FILE_BYTES = 64L << 20;
  private static final RevocationList NONE = new RevocationList(null, Set.of());

  private final Path file;
  private volatile Set<String> revoked;
  private volatile long nextCheck;
  private long seenModified;
  private long seenSize;
  private boolean warned;

  private RevocationList(Path file, Set<String> revoked) {
    this.file = file;
    this.revoked = revoked;
  }

  /** A list that revokes nothing. */
  public static RevocationList none() {
    return NONE;
  }

  /**
   * The list in {@code file}, followed as it changes.
   *
   * @param option the option that named the file, for errors
   * @throws ConfigException naming {@code option} when the file does not exist, cannot be read, or
   *     group or others may change it
   */
  public static RevocationList watching(String option, Path file) {
    Objects.requireNonNull(file, "file");
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_WRITE)
          || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
        throw new ConfigException(option, "file " + file + " is "
            + PosixFilePermissions.toString(perms) + ": group or others may change the deny"
            + " list; chmod 644 " + file);
      }
    } catch (NoSuchFileException e) {
      throw new ConfigException(option, "file " + file + " does not exist (create it empty:"
          + " touch " + file + ")");
    } catch (UnsupportedOperationException | IOException e) {
      // no POSIX permissions here; reading below reports an unreadable file
    }
    RevocationList l = new RevocationList(file.toAbsolutePath(), Set.of());
    try {
      l.reload();
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
    l.nextCheck = System.nanoTime() + CHECK_INTERVAL_NANOS;
    return l;
  }

  /** Whether the token id {@code jti} is revoked (the file checked for changes first, if due). */
  public boolean isRevoked(String jti) {
    if (file != null && System.nanoTime() - nextCheck >= 0) {
      refresh();
    }
    return revoked.contains(jti);
  }

  /** How many ids are revoked now (for the start-up log). */
  public int size() {
    return revoked.size();
  }

  /** The file, or empty for {@link #none()}. */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(file);
  }

  private synchronized void refresh() {
    long now = System.nanoTime();
    if (now - nextCheck < 0) {
      return;
    }
    nextCheck = now + CHECK_INTERVAL_NANOS;
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      long modified = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
      if (modified != seenModified || a.size() != seenSize) {
        reload();
        LOG.log(System.Logger.Level.INFO, "API token deny list " + file + " re-read: "
            + revoked.size() + " revoked token ids");
      }
      warned = false;
    } catch (IOException e) {
      if (!warned) {
        warned = true;
        LOG.log(System.Logger.Level.WARNING, "cannot read the API token deny list " + file
            + " (" + e.getClass().getSimpleName() + "); the " + revoked.size()
            + " token ids read before stay revoked");
      }
    }
  }

  private void reload() throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    if (a.size() > MAX_FILE_BYTES) {
      throw new IOException("larger than 64 MiB");
    }
    Set<String> ids = new HashSet<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      int hash = line.indexOf('#');
      String id = (hash < 0 ? line : line.substring(0, hash)).strip();
      if (!id.isEmpty()) {
        ids.add(id);
      }
    }
    revoked = Set.copyOf(ids);
    seenModified = a.lastModifiedTime().to(TimeUnit.NANOSECONDS);
    seenSize = a.size();
  }
}
