package io.osapi.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Secret;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The keys of API tokens, read from a key file ({@code --api-token-key-file}, {@code osapi-app
 * token create --key-file}), and the one algorithm they pin: either
 *
 * <ul>
 *   <li><b>HS256</b>: the file's bytes are the shared secret (at least {@value #MIN_HMAC_BYTES}
 *       bytes once a trailing line break is removed); its key id is {@code hs-} and the first 8
 *       bytes of the secret's SHA-256 in hex; or
 *   <li><b>ES256</b>: a JWK or a JWK Set (JSON) of EC P-256 keys; a public key verifies, a private
 *       one also signs. A key's id is its {@code kid}, else its RFC 7638 thumbprint. Several keys
 *       allow rotation: a token names its key by {@code kid}.
 * </ul>
 *
 * <p>The file must be private to its owner (mode 600), as every secret file. Immutable.
 */
public final class TokenKeys {
  /** The shortest HS256 secret accepted, in bytes (256 bits, the size of the hash). */
  public static final int MIN_HMAC_BYTES = 32;

  private static final int MAX_FILE_BYTES = 256 * 1024;

  private final JWSAlgorithm algorithm;
  private final Map<String, JWSVerifier> verifiers;
  private final String signingKid;
  private final JWSSigner signer;
  private final List<String> kids;

  private TokenKeys(JWSAlgorithm algorithm, Map<String, JWSVerifier> verifiers, String signingKid,
      JWSSigner signer) {
    this.algorithm = algorithm;
    this.verifiers = Map.copyOf(verifiers);
    this.kids = List.copyOf(verifiers.keySet());
    this.signingKid = signingKid;
    this.signer = signer;
  }

  /**
   * Reads a key file.
   *
   * @param option the option that named it, for error messages
   * @throws ConfigException naming {@code option} when the file is missing, unreadable, open to
   *     group or others, too short a secret, or a JWK that is not an EC P-256 key
   */
  public static TokenKeys readFile(String option, Path file) {
    Secret.requirePrivate(option, file);
    byte[] bytes;
    try {
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new ConfigException(option, "file " + file + " is larger than 256 KiB");
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(option, "file " + file + " does not exist");
    } catch (IOException e) {
      throw new ConfigException(option, "cannot read " + file + ": " + e.getMessage());
    }
    String text = new String(bytes, StandardCharsets.UTF_8).strip();
    try {
      if (text.startsWith("{")) {
        return fromJson(option, file, text);
      }
      return hmac(option, file, stripLineBreak(bytes));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  /** HS256 keys of a secret (tests, programmatic use). */
  public static TokenKeys hmac(byte[] secret) {
    return hmac("key", Path.of("(memory)"), secret.clone());
  }

  /** ES256 keys of a JWK or JWK Set in JSON (tests, programmatic use). */
  public static TokenKeys jwk(String json) {
    return fromJson("key", Path.of("(memory)"), json);
  }

  private static TokenKeys hmac(String option, Path file, byte[] secret) {
    if (secret.length < MIN_HMAC_BYTES) {
      throw new ConfigException(option, "the HS256 secret in " + file + " has " + secret.length
          + " bytes; use at least " + MIN_HMAC_BYTES
          + " (osapi-app token keygen --alg HS256 --out FILE), or an ES256 JWK");
    }
    try {
      String kid = "hs-" + HexFormat.of().formatHex(
          MessageDigest.getInstance("SHA-256").digest(secret), 0, 8);
      return new TokenKeys(JWSAlgorithm.HS256, Map.of(kid, new MACVerifier(secret)), kid,
          new MACSigner(secret));
    } catch (JOSEException | NoSuchAlgorithmException e) {
      throw new ConfigException(option, "cannot use the HS256 secret in " + file + ": "
          + e.getMessage());
    }
  }

  private static TokenKeys fromJson(String option, Path file, String json) {
    List<JWK> jwks;
    try {
      jwks = json.contains("\"keys\"") ? JWKSet.parse(json).getKeys() : List.of(JWK.parse(json));
    } catch (ParseException e) {
      throw new ConfigException(option, file + " is neither an HS256 secret nor a JWK or JWK Set"
          + " (JSON): " + e.getMessage());
    }
    if (jwks.isEmpty()) {
      throw new ConfigException(option, "the JWK Set in " + file + " has no keys");
    }
    Map<String, JWSVerifier> verifiers = new LinkedHashMap<>();
    String signingKid = null;
    JWSSigner signer = null;
    for (JWK jwk : jwks) {
      if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve())) {
        throw new ConfigException(option, file + " holds a " + jwk.getKeyType() + " key"
            + (jwk instanceof ECKey ec2 ? " on curve " + ec2.getCurve() : "")
            + "; only EC P-256 keys (ES256) are accepted (osapi-app token keygen --alg ES256)");
      }
      if (jwk.getAlgorithm() != null && !JWSAlgorithm.ES256.equals(jwk.getAlgorithm())) {
        throw new ConfigException(option, "a key in " + file + " says alg "
            + jwk.getAlgorithm() + "; only ES256 is accepted");
      }
      if (jwk.getKeyUse() != null && !"sig".equals(jwk.getKeyUse().identifier())) {
        throw new ConfigException(option, "a key in " + file + " is for use '"
            + jwk.getKeyUse().identifier() + "', not 'sig'");
      }
      try {
        String kid = jwk.getKeyID() != null ? jwk.getKeyID() : jwk.computeThumbprint().toString();
        if (verifiers.put(kid, new ECDSAVerifier(ec.toPublicJWK())) != null) {
          throw new ConfigException(option, file + " has two keys with the key id " + kid);
        }
        if (ec.isPrivate() && signer == null) {
          signer = new ECDSASigner(ec);
          signingKid = kid;
        }
      } catch (JOSEException e) {
        throw new ConfigException(option, "cannot use a key in " + file + ": " + e.getMessage());
      }
    }
    return new TokenKeys(JWSAlgorithm.ES256, verifiers, signingKid, signer);
  }

  private static byte[] stripLineBreak(byte[] b) {
    int n = b.length;
    if (n > 0 && b[n - 1] == '\n') {
      n--;
      if (n > 0 && b[n - 1] == '\r') {
        n--;
      }
    }
    return Arrays.copyOf(b, n);
  }

  /** The one algorithm tokens of these keys must have: HS256 or ES256. */
  public JWSAlgorithm algorithm() {
    return algorithm;
  }

  /** The key ids, in file order. */
  public List<String> keyIds() {
    return kids;
  }

  /** The verifier of the key {@code kid}, if there is one. */
  Optional<JWSVerifier> verifier(String kid) {
    return Optional.ofNullable(verifiers.get(kid));
  }

  /** Whether these keys can sign: an HS256 secret, or a JWK with its private part. */
  public boolean canSign() {
    return signer != null;
  }

  /** Whether a host holding these keys could make tokens (a private EC key or a secret). */
  public boolean holdsPrivateKey() {
    return algorithm.equals(JWSAlgorithm.ES256) && signer != null;
  }

  /** The key id tokens are signed with: the first private key's. */
  public Optional<String> signingKeyId() {
    return Optional.ofNullable(signingKid);
  }

  /** The signer of {@link #signingKeyId()}. @throws IllegalStateException for public keys */
  JWSSigner signer() {
    if (signer == null) {
      throw new IllegalStateException("these keys hold no private key");
    }
    return signer;
  }

  /** For logs: the algorithm and key ids, never key material ({@code ES256 keys a,b}). */
  public String describe() {
    return algorithm + (kids.size() == 1 ? " key " : " keys ") + String.join(",", kids);
  }

  @Override
  public String toString() {
    return "TokenKeys[" + describe() + "]";
  }
}
