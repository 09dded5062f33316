package io.osapi.app.auth;

import static io.osapi.app.auth.Tokens.claims;
import static io.osapi.app.auth.Tokens.ecKey;
import static io.osapi.app.auth.Tokens.es256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.nimbusds.jose.jwk.ECKey;
import io.osapi.app.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deny list of token ids: followed as the file changes, fail closed when it goes away. */
class RevocationListTest {
  private static final String OPT = "--api-token-revoked-file";
  @TempDir Path dir;

  @Test
  void aTokenRevokedInTheFileIsRefusedWithinSeconds() throws Exception {
    Path f = Files.writeString(dir.resolve("revoked"),
        "# revoked tokens\nother-id  # lost laptop\n");
    RevocationList list = RevocationList.watching(OPT, f);
    assertThat(list.size()).isEqualTo(1);
    ECKey key = ecKey("k1");
    TokenVerifier v = new TokenVerifier(TokenKeys.jwk(key.toPublicJWK().toJSONString()),
        Roles.builtIn(), list, Clock.fixed(Tokens.NOW, ZoneOffset.UTC));
    String token = es256(key, claims().jwtID("id-1").build());
    String other = es256(key, claims().jwtID("other-id").build());
    assertThat(v.verify(token)).as("not revoked yet").isInstanceOf(Authentication.Verified.class);
    assertThat(v.verify(other)).isEqualTo(new Authentication.Refused(AuthFailure.INVALID,
        "revoked (key k1, jti other-id)"));

    Files.writeString(f, "other-id\nid-1\n");
    await().atMost(Duration.ofSeconds(10)).until(
        () -> v.verify(token) instanceof Authentication.Refused r
            && r.detail().startsWith("revoked"));

    // the file gone: the ids read before stay revoked
    Files.delete(f);
    await().pollDelay(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(10))
        .until(() -> v.verify(token) instanceof Authentication.Refused);
    assertThat(list.size()).isEqualTo(2);

    // back with fewer ids: un-revoked again
    Files.writeString(f, "other-id\n");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> v.verify(token) instanceof Authentication.Verified);
    assertThat(v.verify(other)).isInstanceOf(Authentication.Refused.class);
  }

  @Test
  void aMissingOrWritableByOthersFileIsRefusedAtStart() throws Exception {
    assertThatThrownBy(() -> RevocationList.watching(OPT, dir.resolve("nope")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("does not exist")
        .hasMessageContaining("touch");
    Path f = Files.writeString(dir.resolve("revoked"), "");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-rw-r--"));
    assertThatThrownBy(() -> RevocationList.watching(OPT, f))
        .isInstanceOf(ConfigException.class).hasMessageContaining(OPT)
        .hasMessageContaining("chmod 644");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
    assertThat(RevocationList.watching(OPT, f).size()).as("positive control").isZero();
  }
}
