package io.osapi.app.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.auth.TokenKeys;
import io.osapi.core.audit.InMemoryAuditLog;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * An attacker's tokens against a controller that verifies ES256 tokens with a public key, over
 * real HTTP: each is 401 with only its reason, counted, and changes nothing; a good token passes
 * (the positive control).
 */
@Timeout(60)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TokenAttacksComponentTest {
  private static final String CREATE = AuditEdgeComponentTest.CREATE;
  private EdgeHarness h;
  private ECKey key;

  @BeforeAll
  void start() throws Exception {
    key = new ECKeyGenerator(Curve.P_256).keyIDFromThumbprint(true).generate();
    h = new EdgeHarness(ApiAuthenticator.builder()
        .tokenKeys(TokenKeys.jwk(key.toPublicJWK().toJSONString()))
        .clock(Clock.systemUTC()).build(), new InMemoryAuditLog());
  }

  @AfterAll
  void stop() {
    h.close();
  }

  private static JWTClaimsSet.Builder claims(Instant iat, Instant exp) {
    return new JWTClaimsSet.Builder().subject("mallory").claim("roles", List.of("admin"))
        .issueTime(Date.from(iat)).expirationTime(Date.from(exp)).jwtID("j-1");
  }

  private static JWTClaimsSet valid() {
    Instant now = Instant.now();
    return claims(now, now.plusSeconds(300)).build();
  }

  private String es256(ECKey signer, JWTClaimsSet c) throws Exception {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
        .keyID(signer.getKeyID()).build(), c);
    jwt.sign(new ECDSASigner(signer));
    return jwt.serialize();
  }

  private void refused(String token, String reason) throws Exception {
    long before = h.metrics.authFailures(reason);
    HttpResponse<String> r = h.send("POST", "/api/v1/jobs", CREATE, token);
    assertThat(r.statusCode()).as(reason + ": " + r.body()).isEqualTo(401);
    JsonNode body = ApiJson.mapper().readTree(r.body());
    assertThat(body.get("details")).as("only the reason is said")
        .isEqualTo(ApiJson.mapper().valueToTree(Map.of("reason", reason)));
    assertThat(r.body()).doesNotContain("mallory").doesNotContain(token);
    assertThat(h.metrics.authFailures(reason)).isEqualTo(before + 1);
  }

  @Test
  void everyForgedOrStaleTokenIs401AndChangesNothing() throws Exception {
    // alg none
    refused(new PlainJWT(valid()).serialize(), "invalid");
    // HS256 signed with the public key's JSON as the secret (the classic key confusion)
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256)
        .keyID(key.getKeyID()).build(), valid());
    hs.sign(new MACSigner(key.toPublicJWK().toJSONString().getBytes(StandardCharsets.UTF_8)));
    refused(hs.serialize(), "invalid");
    // a self-made key that claims the real key's id
    ECKey mine = new ECKeyGenerator(Curve.P_256).keyID(key.getKeyID()).generate();
    refused(es256(mine, valid()), "invalid");
    // an unknown key id
    refused(es256(new ECKeyGenerator(Curve.P_256).keyID("other").generate(), valid()),
        "invalid");
    // a tampered payload: the real signature over other claims
    String good = es256(key, valid());
    String[] parts = good.split("\\.");
    String evil = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
        claims(Instant.now(), Instant.now().plusSeconds(9999)).subject("root").build()
            .toString().getBytes(StandardCharsets.UTF_8));
    refused(parts[0] + "." + evil + "." + parts[2], "invalid");
    // expired, and not yet valid (beyond the allowed skew)
    Instant now = Instant.now();
    refused(es256(key, claims(now.minusSeconds(7200), now.minusSeconds(3600)).build()),
        "expired");
    refused(es256(key, claims(now, now.plusSeconds(7200)).notBeforeTime(
        Date.from(now.plusSeconds(3600))).build()), "expired");
    // garbage and a missing header
    refused("not-a-token", "invalid");
    HttpResponse<String> none = h.send("POST", "/api/v1/jobs", CREATE, null);
    assertThat(none.statusCode()).isEqualTo(401);
    assertThat(h.records()).as("no record of an unverified caller").isEmpty();

    // positive control: the real key's token passes and creates
    HttpResponse<String> ok = h.send("POST", "/api/v1/jobs", CREATE, good);
    assertThat(ok.statusCode()).isEqualTo(201);
    assertThat(h.records()).hasSize(1);
    assertThat(h.records().get(0).subject()).isEqualTo("mallory");
  }
}
