package io.osapi.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.osapi.app.config.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Makes token key files ({@code osapi-app token keygen}), created private to their owner (mode
 * 600 from the start, never over an existing file).
 *
 * <ul>
 *   <li>HS256: one line, 64 base64url characters of 48 random bytes (the characters are the
 *       secret, 384 bits of it);
 *   <li>ES256: the private JWK (EC P-256, {@code kid} its RFC 7638 thumbprint) in the file, the
 *       public JWK in the file plus {@code .pub}, for the controllers.
 * </ul>
 */
public final class TokenKeyFiles {
  private TokenKeyFiles() {}

  /** The algorithms keygen makes keys for. */
  public static final List<String> ALGORITHMS = List.of("ES256", "HS256");

  /**
   * Writes a new key.
   *
   * @param alg {@code ES256} or {@code HS256}
   * @return the files written: the key, then for ES256 the public key
   * @throws ConfigException naming {@code --alg} or {@code --out} for a bad algorithm, a file that
   *     exists or cannot be written
   */
  public static List<Path> generate(String alg, Path out) {
    String a = alg == null ? "" : alg.strip().toUpperCase(Locale.ROOT);
    if (a.equals("HS256")) {
      byte[] random = new byte[48];
      new SecureRandom().nextBytes(random);
      requireAbsent(out);
      write(out, (Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n")
          .getBytes(StandardCharsets.US_ASCII));
      return List.of(out);
    }
    if (!a.equals("ES256")) {
      throw new ConfigException("--alg", "expected ES256 or HS256, got '" + alg + "'");
    }
    ECKey key;
    try {
      key = new ECKeyGenerator(Curve.P_256).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.ES256)
          .keyIDFromThumbprint(true).generate();
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot make an EC P-256 key: " + e.getMessage(), e);
    }
    Path pub = publicFile(out);
    requireAbsent(out);
    requireAbsent(pub);
    write(out, (key.toJSONString() + "\n").getBytes(StandardCharsets.UTF_8));
    write(pub, (key.toPublicJWK().toJSONString() + "\n").getBytes(StandardCharsets.UTF_8));
    return List.of(out, pub);
  }

  /** Where the public key of an ES256 key file goes: the same name plus {@code .pub}. */
  public static Path publicFile(Path keyFile) {
    return keyFile.resolveSibling(keyFile.getFileName() + ".pub");
  }

  private static void requireAbsent(Path p) {
    if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      throw new ConfigException("--out", "file " + p + " exists; keygen never overwrites a key"
          + " (move it away first)");
    }
  }

  private static void write(Path p, byte[] content) {
    FileAttribute<?>[] attrs = supportsPosix(p)
        ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString("rw-------"))}
        : new FileAttribute<?>[0];
    try {
      if (p.toAbsolutePath().getParent() != null) {
        Files.createDirectories(p.toAbsolutePath().getParent());
      }
      Files.createFile(p, attrs);
      try (OutputStream o = Files.newOutputStream(p, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        o.write(content);
      }
    } catch (FileAlreadyExistsException e) {
      throw new ConfigException("--out", "file " + p + " exists; keygen never overwrites a key");
    } catch (IOException e) {
      throw new ConfigException("--out", "cannot write " + p + ": " + e.getMessage());
    }
  }

  private static boolean supportsPosix(Path p) {
    Path dir = p.toAbsolutePath().getParent();
    return dir == null || dir.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
