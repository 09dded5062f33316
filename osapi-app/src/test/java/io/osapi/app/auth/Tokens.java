package io.osapi.app.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Test tokens made with nimbus directly, the way an attacker with the library would. */
final class Tokens {
  static final Instant NOW = Instant.parse("2026-12-05T12:00:00Z");
  static final byte[] SECRET =
      "0123456789abcdef0123456789abcdef-test-secret".getBytes(StandardCharsets.US_ASCII);

  private Tokens() {}

  static ECKey ecKey(String kid) {
    try {
      return new ECKeyGenerator(Curve.P_256).keyID(kid).generate();
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  /** Claims that pass: alice, role write, issued a minute ago, valid for an hour. */
  static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .claim("roles", List.of("write"))
        .issueTime(Date.from(NOW.minusSeconds(60)))
        .expirationTime(Date.from(NOW.plusSeconds(3600)))
        .jwtID("id-1");
  }

  static String es256(ECKey key, JWTClaimsSet claims) {
    try {
      return sign(new ECDSASigner(key), JWSAlgorithm.ES256, key.getKeyID(), claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String hs256(byte[] secret, String kid, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, kid, claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
    return jwt.serialize();
  }
}
