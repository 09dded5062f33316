package io.osapi.app.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.Objects;

/**
 * A secret read from a file (a password, a token). It never shows in {@link #toString()}, so
 * settings holding one can be logged.
 */
public final class Secret {
  private final String value;
  private final Path file;

  private Secret(String value, Path file) {
    this.value = value;
    this.file = file;
  }

  /** A secret from its text (tests, programmatic use). */
  public static Secret of(String value) {
    Objects.requireNonNull(value, "value");
    if (value.isEmpty()) {
      throw new IllegalArgumentException("secret must not be empty");
    }
    return new Secret(value, null);
  }

  /**
   * Reads a secret file: its content without the trailing line break. Like ssh with a private
   * key, a file that group or others may read or write is refused.
   *
   * @param option the option that named the file, for the error message
   * @throws ConfigException naming {@code option} when the file cannot be read, is empty, or is
   *     open to group or others
   */
  public static Secret readFile(String option, Path file) {
    requirePrivate(option, file);
    String text;
    try {
      if (Files.size(file) > 64 * 1024) {
        throw new ConfigException(option, "file " + file + " is larger than 64 KiB");
      }
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(option, "file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
    String v = text.strip();
    if (v.isEmpty()) {
      throw new ConfigException(option, "file " + file + " is empty");
    }
    if (v.contains("\n")) {
      throw new ConfigException(option, "file " + file + " has more than one line");
    }
    return new Secret(v, file);
  }

  /**
   * Refuses a secret file that group or others may read or write (on file systems with POSIX
   * permissions; elsewhere nothing is checked). A missing file is left to the reader.
   *
   * @throws ConfigException naming {@code option}, with the {@code chmod} that fixes it
   */
  public static void requirePrivate(String option, Path file) {
    Set<PosixFilePermission> perms;
    try {
      perms = Files.getPosixFilePermissions(file);
    } catch (UnsupportedOperationException | IOException e) {
      return;
    }
    Set<PosixFilePermission> open = EnumSet.of(
        PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE);
    open.retainAll(perms);
    if (!open.isEmpty()) {
      throw new ConfigException(option, "file " + file + " holds a secret but is "
          + PosixFilePermissions.toString(perms) + ": group or others may read or change it;"
          + " make it private to its owner (chmod 600 " + file + ")");
    }
  }

  /** The secret itself. */
  public String value() {
    return value;
  }

  /** The file it was read from, if it came from one (for hints, never the value). */
  public java.util.Optional<Path> file() {
    return java.util.Optional.ofNullable(file);
  }

  @Override
  public String toString() {
    return "****";
  }
}
