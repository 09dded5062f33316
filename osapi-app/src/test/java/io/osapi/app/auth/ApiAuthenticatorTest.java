package io.osapi.app.auth;

import static io.osapi.app.auth.Tokens.NOW;
import static io.osapi.app.auth.Tokens.claims;
import static io.osapi.app.auth.Tokens.ecKey;
import static io.osapi.app.auth.Tokens.es256;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import io.osapi.app.config.AuthSettings;
import io.osapi.app.config.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The API's authenticator: header forms, the static token, signed tokens, or nothing asked. */
class ApiAuthenticatorTest {
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private static final String STATIC = "static-token-0123456789abcdef";
  @TempDir Path dir;
  private final ECKey key = ecKey("k1");

  private Authenticator both() {
    return ApiAuthenticator.builder().clock(CLOCK).staticToken(Secret.of(STATIC))
        .tokenKeys(TokenKeys.jwk(key.toPublicJWK().toJSONString())).build();
  }

  private static AuthFailure reason(Authentication a) {
    return a instanceof Authentication.Refused r ? r.reason() : null;
  }

  private static String subject(Authentication a) {
    return a instanceof Authentication.Verified v ? v.caller().subject() : null;
  }

  @Test
  void headerForms() {
    Authenticator a = both();
    String jwt = es256(key, claims().build());
    assertThat(subject(a.authenticate("Bearer " + jwt))).isEqualTo("alice");
    assertThat(subject(a.authenticate("bearer   " + jwt + " "))).isEqualTo("alice");
    assertThat(subject(a.authenticate("BEARER " + STATIC))).isEqualTo(Caller.STATIC_SUBJECT);
    assertThat(reason(a.authenticate(null))).isEqualTo(AuthFailure.MISSING);
    assertThat(reason(a.authenticate(""))).isEqualTo(AuthFailure.MISSING);
    assertThat(reason(a.authenticate("Bearer"))).isEqualTo(AuthFailure.MISSING);
    assertThat(reason(a.authenticate("Bearer   "))).isEqualTo(AuthFailure.MISSING);
    assertThat(reason(a.authenticate("Basic YWxpY2U6c2VjcmV0"))).isEqualTo(AuthFailure.INVALID);
    assertThat(reason(a.authenticate("Bearer" + jwt))).isEqualTo(AuthFailure.INVALID);
    assertThat(reason(a.authenticate(jwt))).isEqualTo(AuthFailure.INVALID);
    assertThat(reason(a.authenticate("Bearer " + STATIC + "x"))).isEqualTo(AuthFailure.INVALID);
    assertThat(reason(a.authenticate("Bearer " + STATIC.substring(1))))
        .isEqualTo(AuthFailure.INVALID);
    assertThat(a.required()).isTrue();
  }

  @Test
  void theStaticTokenIsTheBreakGlassAdmin() {
    Authentication a = both().authenticate("Bearer " + STATIC);
    Caller c = ((Authentication.Verified) a).caller();
    assertThat(c).isEqualTo(Caller.staticToken());
    assertThat(c.has(Permission.WORKERS_TRUST)).isTrue();
  }

  @Test
  void aStaticTokenThatLooksLikeAJwtStillWorks() {
    String jwtLike = "abcdefgh.ijklmnop.qrstuvwx";
    Authenticator a = ApiAuthenticator.builder().clock(CLOCK).staticToken(Secret.of(jwtLike))
        .tokenKeys(TokenKeys.jwk(key.toPublicJWK().toJSONString())).build();
    assertThat(subject(a.authenticate("Bearer " + jwtLike))).isEqualTo(Caller.STATIC_SUBJECT);
    assertThat(reason(a.authenticate("Bearer abcdefgh.ijklmnop.qrstuvwy")))
        .isEqualTo(AuthFailure.INVALID);
  }

  @Test
  void aSignedTokenWithoutAKeyFileIsRefusedAndNothingConfiguredAsksNothing() {
    Authenticator staticOnly = ApiAuthenticator.builder().staticToken(Secret.of(STATIC)).build();
    Authentication a = staticOnly.authenticate("Bearer " + es256(key, claims().build()));
    assertThat(a).isEqualTo(new Authentication.Refused(AuthFailure.INVALID,
        "a signed token, but no --api-token-key-file is configured"));
    Authenticator none = ApiAuthenticator.builder().build();
    assertThat(none.required()).isFalse();
    assertThat(subject(none.authenticate(null))).isEqualTo(Caller.ANONYMOUS_SUBJECT);
  }

  @Test
  void fromSettingsReadsTheFilesAndDescribesWithoutValues() throws Exception {
    Path keyFile = Files.writeString(dir.resolve("keys.jwk"), key.toJSONString());
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-------"));
    Path revoked = Files.writeString(dir.resolve("revoked"), "id-1\n");
    AuthSettings s = new AuthSettings(Optional.of(keyFile), Optional.of(revoked),
        Map.of("role.operator", "workers:drain"));
    Authenticator a = ApiAuthenticator.fromSettings(Optional.of(Secret.of(STATIC)), s, CLOCK);
    assertThat(reason(a.authenticate("Bearer " + es256(key, claims().build()))))
        .as("id-1 is revoked").isEqualTo(AuthFailure.INVALID);
    Authentication op = a.authenticate("Bearer " + es256(key, claims().jwtID("id-2")
        .claim("roles", java.util.List.of("operator")).build()));
    assertThat(((Authentication.Verified) op).caller().permissions())
        .containsExactly(Permission.WORKERS_DRAIN);

    ApiAuthenticator.Builder b = ApiAuthenticator.builder().staticToken(Secret.of(STATIC))
        .tokenKeys(TokenKeys.jwk(key.toJSONString()))
        .roles(Roles.withCustom(Map.of("role.operator", "workers:drain")));
    assertThat(b.describe()).isEqualTo("API tokens: signed tokens ES256 key k1; static token"
        + " accepted as subject static-token (admin); custom roles operator")
        .doesNotContain(STATIC).doesNotContain(key.getD().toString());
    assertThat(ApiAuthenticator.builder().describe()).contains("none configured");
  }
}
