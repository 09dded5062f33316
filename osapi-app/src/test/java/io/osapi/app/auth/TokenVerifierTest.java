package io.osapi.app.auth;

import static io.osapi.app.auth.Tokens.NOW;
import static io.osapi.app.auth.Tokens.SECRET;
import static io.osapi.app.auth.Tokens.claims;
import static io.osapi.app.auth.Tokens.ecKey;
import static io.osapi.app.auth.Tokens.es256;
import static io.osapi.app.auth.Tokens.hs256;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The verifier against the attacks of the threat model: every forged, altered, expired or
 * misdirected token is refused with a reason safe to log; a good one gives its caller.
 */
class TokenVerifierTest {
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
  private final ECKey key = ecKey("k1");
  private final TokenVerifier ec = new TokenVerifier(
      TokenKeys.jwk(key.toPublicJWK().toJSONString()), Roles.builtIn(), RevocationList.none(),
      CLOCK);
  private final TokenKeys hmacKeys = TokenKeys.hmac(SECRET);
  private final TokenVerifier hs = new TokenVerifier(hmacKeys, Roles.builtIn(),
      RevocationList.none(), CLOCK);

  private static Authentication.Refused refused(Authentication a, AuthFailure reason,
      String detail, String token) {
    assertThat(a).isInstanceOf(Authentication.Refused.class);
    Authentication.Refused r = (Authentication.Refused) a;
    assertThat(r.reason()).isEqualTo(reason);
    assertThat(r.detail()).contains(detail);
    for (String part : token.split("\\.")) {
      if (part.length() > 8) {
        assertThat(r.detail()).as("the detail shows no part of the token").doesNotContain(part);
      }
    }
    return r;
  }

  @Test
  void aGoodTokenGivesItsCaller() {
    Authentication a = ec.verify(es256(key, claims().claim("permissions",
        List.of("workers:drain", "no:such")).build()));
    assertThat(a).isInstanceOf(Authentication.Verified.class);
    Caller c = ((Authentication.Verified) a).caller();
    assertThat(c.subject()).isEqualTo("alice");
    assertThat(c.roles()).containsExactly("write");
    assertThat(c.tokenId()).contains("id-1");
    assertThat(c.has(Permission.JOBS_CREATE)).isTrue();
    assertThat(c.has(Permission.WORKERS_DRAIN)).as("extra permission").isTrue();
    assertThat(c.has(Permission.JOBS_DELETE)).isFalse();
    assertThat(hs.verify(hs256(SECRET, hmacKeys.keyIds().get(0), claims().build())))
        .isInstanceOf(Authentication.Verified.class);
  }

  @Test
  void algNoneIsRefused() {
    String plain = new PlainJWT(claims().build()).serialize();
    refused(ec.verify(plain), AuthFailure.INVALID, "not a signed JWT", plain);
    refused(hs.verify(plain), AuthFailure.INVALID, "not a signed JWT", plain);
    // a none header with a kid and some signature bytes
    String header = Base64URL.encode("{\"alg\":\"none\",\"kid\":\"k1\"}").toString();
    String body = Base64URL.encode(claims().build().toString()).toString();
    String t = header + "." + body + ".c2lnbmF0dXJl";
    refused(ec.verify(t), AuthFailure.INVALID, "alg none", t);
  }

  @Test
  void anAttackersForgedTokensAreRefused() {
    // HS256 keyed with the public JWK's bytes (the classic algorithm confusion)
    byte[] pub = key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8);
    String confused = hs256(pub, "k1", claims().claim("roles", List.of("admin")).build());
    refused(ec.verify(confused), AuthFailure.INVALID, "algorithm HS256 not accepted", confused);
    // the attacker's own EC key under the real key id
    String own = es256(ecKey("k1"), claims().claim("roles", List.of("admin")).build());
    refused(ec.verify(own), AuthFailure.INVALID, "bad signature", own);
    // an EC token against an HMAC key, under its key id
    String ecVsHmac = es256(ecKey(hmacKeys.keyIds().get(0)), claims().build());
    refused(hs.verify(ecVsHmac), AuthFailure.INVALID, "algorithm ES256 not accepted", ecVsHmac);
    // HS256 with a guessed secret
    String guessed = hs256("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII),
        hmacKeys.keyIds().get(0), claims().build());
    refused(hs.verify(guessed), AuthFailure.INVALID, "bad signature", guessed);
  }

  @Test
  void aTamperedPayloadOrSignatureIsRefused() {
    String good = es256(key, claims().build());
    String[] p = good.split("\\.");
    String body = Base64URL.encode(claims().claim("roles", List.of("admin")).build().toString())
        .toString();
    String tampered = p[0] + "." + body + "." + p[2];
    refused(ec.verify(tampered), AuthFailure.INVALID, "bad signature", tampered);
    char last = p[2].charAt(5);
    String badSig = p[0] + "." + p[1] + "." + p[2].substring(0, 5) + (last == 'A' ? 'B' : 'A')
        + p[2].substring(6);
    refused(ec.verify(badSig), AuthFailure.INVALID, "bad signature", badSig);
    String noSig = p[0] + "." + p[1] + ".";
    refused(ec.verify(noSig), AuthFailure.INVALID, "", noSig);
    assertThat(ec.verify(good)).as("positive control").isInstanceOf(Authentication.Verified.class);
  }

  @Test
  void anUnknownKeyIdIsRefused() {
    String t = es256(ecKey("k2"), claims().build());
    refused(ec.verify(t), AuthFailure.INVALID, "unknown key id k2", t);
    String hostile = es256(ecKey("k2\u001b[31m<script>"), claims().build());
    Authentication.Refused r = refused(ec.verify(hostile), AuthFailure.INVALID, "unknown key id",
        hostile);
    assertThat(r.detail()).doesNotContain("\u001b").doesNotContain("<");
  }

  @Test
  void missingRequiredClaimsAreRefused() {
    for (String claim : List.of("sub", "exp", "iat", "roles")) {
      JWTClaimsSet.Builder b = claims();
      b.claim(claim, null);
      String t = es256(key, b.build());
      refused(ec.verify(t), AuthFailure.INVALID, "missing claim " + claim, t);
    }
    String notAList = es256(key, claims().claim("roles", "admin").build());
    refused(ec.verify(notAList), AuthFailure.INVALID, "not a list of strings", notAList);
    String blankSub = es256(key, claims().subject(" ").build());
    refused(ec.verify(blankSub), AuthFailure.INVALID, "missing claim sub", blankSub);
  }

  @Test
  void expiredAndNotYetValidTokensAreRefusedBeyondTheAllowedSkew() {
    long skew = TokenVerifier.CLOCK_SKEW.toSeconds();
    String expired = es256(key, claims().expirationTime(Date.from(NOW.minusSeconds(skew + 1)))
        .build());
    refused(ec.verify(expired), AuthFailure.EXPIRED, "expired at", expired);
    String justExpired = es256(key, claims().expirationTime(Date.from(NOW.minusSeconds(skew - 1)))
        .build());
    assertThat(ec.verify(justExpired)).as("within the skew").isInstanceOf(
        Authentication.Verified.class);
    String early = es256(key, claims().notBeforeTime(Date.from(NOW.plusSeconds(skew + 1)))
        .build());
    refused(ec.verify(early), AuthFailure.EXPIRED, "not valid before", early);
    String almost = es256(key, claims().notBeforeTime(Date.from(NOW.plusSeconds(skew - 1)))
        .build());
    assertThat(ec.verify(almost)).as("within the skew").isInstanceOf(
        Authentication.Verified.class);
    String future = es256(key, claims().issueTime(Date.from(NOW.plusSeconds(3600))).build());
    refused(ec.verify(future), AuthFailure.INVALID, "issued in the future", future);
  }

  @Test
  void aTokenVerifiedBeforeIsStillCheckedForExpiryAtEveryUse() {
    java.util.concurrent.atomic.AtomicReference<java.time.Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(NOW);
    Clock moving = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    };
    TokenVerifier v = new TokenVerifier(TokenKeys.jwk(key.toPublicJWK().toJSONString()),
        Roles.builtIn(), RevocationList.none(), moving);
    String t = es256(key, claims().build());
    assertThat(v.verify(t)).isInstanceOf(Authentication.Verified.class);
    assertThat(v.verify(t)).as("again, remembered").isInstanceOf(Authentication.Verified.class);
    now.set(NOW.plusSeconds(3600 + TokenVerifier.CLOCK_SKEW.toSeconds()));
    refused(v.verify(t), AuthFailure.EXPIRED, "expired at", t);
  }

  @Test
  void unknownRolesGrantNothingButTheTokenStillIdentifiesItsSubject() {
    Authentication a = ec.verify(es256(key, claims().claim("roles", List.of("root")).build()));
    Caller c = ((Authentication.Verified) a).caller();
    assertThat(c.subject()).isEqualTo("alice");
    assertThat(c.permissions()).isEmpty();
  }

  @Test
  void garbageNeverThrows() {
    Random r = new Random(42);
    String good = es256(key, claims().build());
    for (int i = 0; i < 400; i++) {
      String t;
      if (i % 2 == 0) {
        t = good.substring(0, r.nextInt(good.length()));
      } else {
        char[] c = good.toCharArray();
        c[r.nextInt(c.length)] = (char) (r.nextInt(95) + 32);
        t = new String(c);
      }
      Authentication a = ec.verify(t);
      if (!sameBytes(t, good)) {
        assertThat(a).as(t).isInstanceOf(Authentication.Refused.class);
      }
    }
    // the same signed token spelled with base64's '+' and '/' for '-' and '_' is not accepted
    String other = good.replace('-', '+').replace('_', '/');
    if (!other.equals(good)) {
      assertThat(ec.verify(other)).isInstanceOf(Authentication.Refused.class);
    }
    assertThat(ec.verify(good + "=")).isInstanceOf(Authentication.Refused.class);
    assertThat(ec.verify(null)).isInstanceOf(Authentication.Refused.class);
    assertThat(ec.verify("x".repeat(TokenVerifier.MAX_TOKEN_CHARS + 1)))
        .isInstanceOf(Authentication.Refused.class);
  }

  /**
   * Whether two tokens decode to the same bytes: the last character of a base64url part carries
   * unused bits, and changing only those changes nothing that is signed or verified.
   */
  private static boolean sameBytes(String a, String b) {
    String[] x = a.split("\\.", -1);
    String[] y = b.split("\\.", -1);
    if (x.length != y.length) {
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      try {
        if (!java.util.Arrays.equals(java.util.Base64.getUrlDecoder().decode(x[i]),
            java.util.Base64.getUrlDecoder().decode(y[i]))) {
          return false;
        }
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    return true;
  }

  @Test
  void noKeyIdIsAcceptedOnlyWithOneKey() throws Exception {
    String noKid = Tokens.sign(new com.nimbusds.jose.crypto.MACSigner(SECRET),
        com.nimbusds.jose.JWSAlgorithm.HS256, null, claims().build());
    assertThat(hs.verify(noKid)).isInstanceOf(Authentication.Verified.class);
    assertThat(hs.keys().keyIds()).hasSize(1);
  }
}
