package io.osapi.app.auth;

import static io.osapi.app.auth.Tokens.NOW;
import static io.osapi.app.auth.Tokens.claims;
import static io.osapi.app.auth.Tokens.ecKey;
import static io.osapi.app.auth.Tokens.es256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import io.osapi.app.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Key files: HS256 secrets and ES256 JWKs, private to their owner, and rotation by key id. */
class TokenKeysTest {
  private static final String OPT = "--api-token-key-file";
  @TempDir Path dir;

  /** A 2048-bit RSA modulus (RFC 7517 appendix A.1). */
  private static final String RSA_N =
      "sXchDaQebHnPiGvyDOAT4saGEUetSyo9MKLOoWFsueri23bOdgWp4Dy1WlUzewbgBHod5p"
      + "cM9H95GQRV3JDXboIRROSBigeC5yjU1hGzHHyXss8UDprecbAYxknTcQkhslANGRUZmdTO"
      + "Q5qTRsLAt6BTYuyvVRdhS8exSZEy_c4gs_7svlJJQ4H9_NxsiIoLwAEk7-Q3UXERGYw_75"
      + "IDrGA84-lA_-Ct4eTlXHBIY2EaV7t7LjJaynVJCpkv4LKjTTAumiGUIuQhrNhZLuF_RJLq"
      + "HpM2kgWFLU7-VTdL1VbC2tejvcI2BlMkEpk1BzBZI0KQB0GaDWFLN-aEAw3vRw";

  private Path write(String name, byte[] content, String mode) throws Exception {
    Path p = dir.resolve(name);
    Files.write(p, content);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(mode));
    return p;
  }

  @Test
  void aKeyFileGroupOrOthersMayReadIsRefused() throws Exception {
    Path p = write("hs.key", "a".repeat(40).getBytes(StandardCharsets.US_ASCII), "rw-r-----");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, p)).isInstanceOf(ConfigException.class)
        .hasMessageContaining(OPT).hasMessageContaining("chmod 600");
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
    assertThat(TokenKeys.readFile(OPT, p).algorithm()).as("positive control")
        .isEqualTo(JWSAlgorithm.HS256);
    Path pub = write("k.pub", ecKey("k1").toPublicJWK().toJSONString()
        .getBytes(StandardCharsets.UTF_8), "rw-rw-rw-");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, pub)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("chmod 600");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, dir.resolve("missing")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist");
  }

  @Test
  void anHmacSecretNeedsThirtyTwoBytesWithoutItsLineBreak() throws Exception {
    Path shortOne = write("short.key", ("b".repeat(31) + "\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, shortOne))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("has 31 bytes").hasMessageContaining("at least 32")
        .hasMessageNotContaining("bbbb");
    Path ok = write("ok.key", ("b".repeat(32) + "\r\n").getBytes(StandardCharsets.US_ASCII),
        "rw-------");
    TokenKeys k = TokenKeys.readFile(OPT, ok);
    assertThat(k.keyIds()).singleElement().asString().matches("hs-[0-9a-f]{16}");
    assertThat(k.canSign()).isTrue();
    assertThat(k.holdsPrivateKey()).isFalse();
    assertThat(k.describe()).startsWith("HS256 key hs-").doesNotContain("bbbb");
    assertThat(TokenKeys.hmac("b".repeat(32).getBytes(StandardCharsets.US_ASCII)).keyIds())
        .as("the same secret, the same key id").isEqualTo(k.keyIds());
  }

  @Test
  void onlyEcP256JwksAreAccepted() throws Exception {
    Path rsa = write("rsa.jwk", ("{\"kty\":\"RSA\",\"n\":\"" + RSA_N
        + "\",\"e\":\"AQAB\"}").getBytes(StandardCharsets.UTF_8), "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, rsa)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("only EC P-256 keys (ES256)");
    Path ed = write("ed.jwk", ("{\"kty\":\"OKP\",\"crv\":\"Ed25519\","
        + "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"}")
        .getBytes(StandardCharsets.UTF_8), "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, ed)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("OKP key").hasMessageContaining("only EC P-256 keys (ES256)");
    Path p384 = write("p384.jwk", new ECKeyGenerator(Curve.P_384).generate().toPublicJWK()
        .toJSONString().getBytes(StandardCharsets.UTF_8), "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, p384)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("P-384");
    Path junk = write("junk.jwk", "{\"kty\":".getBytes(StandardCharsets.UTF_8), "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, junk)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("neither an HS256 secret nor a JWK");
  }

  @Test
  void aJwkWithoutKidIsKnownByItsThumbprintAndAPrivateOneCanSign() throws Exception {
    ECKey k = new ECKeyGenerator(Curve.P_256).generate();
    TokenKeys pub = TokenKeys.jwk(k.toPublicJWK().toJSONString());
    assertThat(pub.keyIds()).containsExactly(k.computeThumbprint().toString());
    assertThat(pub.canSign()).isFalse();
    assertThat(pub.holdsPrivateKey()).isFalse();
    TokenKeys priv = TokenKeys.jwk(k.toJSONString());
    assertThat(priv.holdsPrivateKey()).isTrue();
    assertThat(priv.describe()).doesNotContain(k.getD().toString());
  }

  @Test
  void aJwkSetRotatesKeysChosenByTheTokensKid() throws Exception {
    ECKey old = ecKey("2026-11");
    ECKey current = ecKey("2026-12");
    String set = new JWKSet(List.of(current.toPublicJWK(), old.toPublicJWK())).toString();
    Path p = write("set.jwks", set.getBytes(StandardCharsets.UTF_8), "rw-------");
    TokenKeys keys = TokenKeys.readFile(OPT, p);
    assertThat(keys.keyIds()).containsExactly("2026-12", "2026-11");
    assertThat(keys.describe()).isEqualTo("ES256 keys 2026-12,2026-11");
    TokenVerifier v = new TokenVerifier(keys, Roles.builtIn(), RevocationList.none(),
        Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(v.verify(es256(old, claims().build()))).isInstanceOf(Authentication.Verified.class);
    assertThat(v.verify(es256(current, claims().build())))
        .isInstanceOf(Authentication.Verified.class);
    // the old key removed from the set: its tokens stop verifying
    Path rotated = write("rotated.jwks", new JWKSet(current.toPublicJWK()).toString()
        .getBytes(StandardCharsets.UTF_8), "rw-------");
    TokenVerifier after = new TokenVerifier(TokenKeys.readFile(OPT, rotated), Roles.builtIn(),
        RevocationList.none(), Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(after.verify(es256(old, claims().build())))
        .isInstanceOf(Authentication.Refused.class);
    // two keys under one kid are refused
    Path dup = write("dup.jwks", new JWKSet(List.of(ecKey("x").toPublicJWK(),
        ecKey("x").toPublicJWK())).toString().getBytes(StandardCharsets.UTF_8), "rw-------");
    assertThatThrownBy(() -> TokenKeys.readFile(OPT, dup)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("two keys with the key id x");
  }
}
