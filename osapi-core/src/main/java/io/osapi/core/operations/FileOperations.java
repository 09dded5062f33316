package io.osapi.core.operations;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.internal.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.attribute.UserPrincipalNotFoundException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * {@code file.deploy} (write a file atomically, only when it differs) and {@code file.get} (read
 * one). Neither follows a symbolic link in the path's last component: deploy refuses it (replacing
 * a link an attacker planted, or writing through it, are both surprises), get refuses it too.
 * Links in the directories above are followed as usual.
 */
final class FileOperations {
  /** Default {@code max_bytes} of {@code file.get}. */
  static final long DEFAULT_MAX_BYTES = 64 * 1024;
  /** Largest {@code max_bytes} of {@code file.get}. */
  static final long MAX_MAX_BYTES = 1024 * 1024;

  private static final LinkOption NOFOLLOW = LinkOption.NOFOLLOW_LINKS;

  /** {@code file.deploy}: {@code {path, content | content_base64, mode, owner, group}}. */
  String deploy(OperationContext c) throws IOException {
    DataFields d = new DataFields("file.deploy", c.dataObject(),
        Set.of("path", "content", "content_base64", "mode", "owner", "group"));
    Path path = d.absolutePath("path", true);
    if (path.getFileName() == null) {
      throw d.bad("path", "must name a file, got '/'");
    }
    byte[] content = content(d);
    Set<PosixFilePermission> mode = mode(d);
    Path dir = path.getParent();
    UserPrincipalLookupService users = path.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal owner = d.has("owner") ? user(d, users) : null;
    GroupPrincipal group = d.has("group") ? group(d, users) : null;
    if (!Files.isDirectory(dir)) {
      throw d.bad("path", "is in '" + dir + "', which is not a directory on this host");
    }
    Optional<PosixFileAttributes> now = attributes(d, path);
    String sha = sha256(content);
    String previous = null;
    if (now.isPresent()) {
      previous = sha256Of(path);
      PosixFileAttributes a = now.get();
      if (previous.equals(sha) && a.permissions().equals(mode)
          && (owner == null || owner.equals(a.owner()))
          && (group == null || group.equals(a.group()))) {
        return result(path, sha, previous, false);
      }
      // keep what the job did not ask to change
      owner = owner == null ? a.owner() : owner;
      group = group == null ? a.group() : group;
    }
    write(path, content, mode, owner, group);
    return result(path, sha, previous, true);
  }

  /** {@code file.get}: {@code {path, max_bytes}}. */
  String get(OperationContext c) throws IOException {
    DataFields d = new DataFields("file.get", c.dataObject(), Set.of("path", "max_bytes"));
    Path path = d.absolutePath("path", true);
    long max = (long) d.number("max_bytes", DEFAULT_MAX_BYTES, 0, MAX_MAX_BYTES);
    PosixFileAttributes a = attributes(d, path).orElseThrow(() ->
        new NoSuchFileException(path.toString(), null, "file.get: no such file"));
    MessageDigest md = sha256();
    java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
    long size = 0;
    try (InputStream in = Channels.newInputStream(
        FileChannel.open(path, StandardOpenOption.READ, NOFOLLOW))) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
        int room = (int) Math.min(n, max - head.size());
        if (room > 0) {
          head.write(buf, 0, room);
        }
        size += n;
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path.toString());
    m.put("content_base64", Base64.getEncoder().encodeToString(head.toByteArray()));
    m.put("sha256", HexFormat.of().formatHex(md.digest()));
    m.put("mode", octal(a.permissions()));
    m.put("owner", a.owner().getName());
    m.put("group", a.group().getName());
    m.put("size", size);
    m.put("truncated", size > head.size());
    return Json.write(m);
  }

  /**
   * The attributes of the regular file at {@code path}, not following a link, or empty when
   * nothing is there.
   *
   * @throws InvalidInputException when a link, a directory or another kind of file is there
   */
  private static Optional<PosixFileAttributes> attributes(DataFields d, Path path)
      throws IOException {
    PosixFileAttributes a;
    try {
      a = Files.readAttributes(path, PosixFileAttributes.class, NOFOLLOW);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
    if (a.isSymbolicLink()) {
      throw d.bad("path", "'" + path + "' is a symbolic link; it is not followed (name the file"
          + " it points to, " + Files.readSymbolicLink(path) + ", instead)");
    }
    if (!a.isRegularFile()) {
      throw d.bad("path", "'" + path + "' is " + (a.isDirectory() ? "a directory" : "not a"
          + " regular file"));
    }
    return Optional.of(a);
  }

  /**
   * Writes a temporary file next to {@code path}, syncs it, sets its mode and owners, renames it
   * over {@code path} and syncs the directory: a reader sees the old file or the new one, never
   * a part; a crash leaves at most a {@code .NAME.osapi-*.tmp} file behind.
   */
  private static void write(Path path, byte[] content, Set<PosixFilePermission> mode,
      UserPrincipal owner, GroupPrincipal group) throws IOException {
    Path dir = path.getParent();
    Path tmp = dir.resolve("." + path.getFileName() + ".osapi-" + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, EnumSet.of(StandardOpenOption.CREATE_NEW,
          StandardOpenOption.WRITE), java.nio.file.attribute.PosixFilePermissions
              .asFileAttribute(EnumSet.of(PosixFilePermission.OWNER_READ,
                  PosixFilePermission.OWNER_WRITE)))) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          ch.write(b);
        }
        ch.force(true);
      }
      PosixFileAttributeView view =
          Files.getFileAttributeView(tmp, PosixFileAttributeView.class, NOFOLLOW);
      if (owner != null) {
        view.setOwner(owner);
      }
      if (group != null) {
        view.setGroup(group);
      }
      view.setPermissions(mode); // after chown, which may clear set-id bits
      try {
        Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException("cannot rename a file into " + dir + " atomically", e);
      }
      try (FileChannel dc = FileChannel.open(dir, StandardOpenOption.READ)) {
        dc.force(true);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static byte[] content(DataFields d) {
    boolean text = d.has("content");
    boolean b64 = d.has("content_base64");
    if (text == b64) {
      throw new InvalidInputException(text ? "content_base64" : "content",
          "file.deploy needs exactly one of content (text, written as UTF-8) and content_base64");
    }
    if (text) {
      return d.string("content", "").getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(d.string("content_base64", ""));
    } catch (IllegalArgumentException e) {
      throw d.bad("content_base64", "is not valid base64: " + e.getMessage());
    }
  }

  private static Set<PosixFilePermission> mode(DataFields d) {
    String s = d.string("mode", "0644");
    if (!s.matches("0?[0-7]{3}")) {
      throw d.bad("mode", "must be an octal string of permission bits like \"0644\" or \"0600\""
          + " (set-id and sticky bits are not supported), got '" + s + "'");
    }
    int bits = Integer.parseInt(s, 8);
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
        PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE,
        PosixFilePermission.OTHERS_READ, PosixFilePermission.GROUP_EXECUTE,
        PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
        PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE,
        PosixFilePermission.OWNER_READ};
    for (int i = 0; i < order.length; i++) {
      if ((bits & (1 << i)) != 0) {
        out.add(order[i]);
      }
    }
    return out;
  }

  /** {@code perms} as four octal digits, like {@code 0644}. */
  static String octal(Set<PosixFilePermission> perms) {
    int bits = 0;
    for (PosixFilePermission p : perms) {
      bits |= 1 << (8 - p.ordinal());
    }
    return String.format("%04o", bits);
  }

  private static UserPrincipal user(DataFields d, UserPrincipalLookupService users)
      throws IOException {
    String name = d.requiredString("owner");
    try {
      return users.lookupPrincipalByName(name);
    } catch (UserPrincipalNotFoundException e) {
      throw d.bad("owner", "'" + name + "' is not a user on this host");
    }
  }

  private static GroupPrincipal group(DataFields d, UserPrincipalLookupService users)
      throws IOException {
    String name = d.requiredString("group");
    try {
      return users.lookupPrincipalByGroupName(name);
    } catch (UserPrincipalNotFoundException e) {
      throw d.bad("group", "'" + name + "' is not a group on this host");
    }
  }

  private static String result(Path path, String sha, String previous, boolean changed) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("path", path.toString());
    m.put("sha256", sha);
    m.put("previous_sha256", previous);
    m.put("changed", changed);
    return Json.write(m);
  }

  private static String sha256Of(Path path) throws IOException {
    MessageDigest md = sha256();
    try (InputStream in = Channels.newInputStream(
        FileChannel.open(path, StandardOpenOption.READ, NOFOLLOW))) {
      byte[] buf = new byte[64 * 1024];
      int n;
      while ((n = in.read(buf)) >= 0) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }

  private static String sha256(byte[] b) {
    return HexFormat.of().formatHex(sha256().digest(b));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }
}
