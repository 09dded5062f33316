package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobSignature;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each part of a signed job is covered by its signature; keys rotate by key id. */
class JobVerifierTest {
  private static final Instant NOW = Instant.parse("2026-12-05T22:00:00Z");
  private final WorkerKey key = WorkerKey.generate();
  private final JobSigner signer = JobSigner.of(key);
  private final JobVerifier verifier = JobVerifier.of(List.of(key.publicKey()));

  private static Job job(String target, String data) {
    return new Job(JobId.generate(Clock.systemUTC()), new Operation("command.exec", data),
        OperationKind.MODIFY, Target.parse(target), NOW);
  }

  private Optional<String> check(Job j, String worker, Map<String, String> labels) {
    return verifier.refusal(j, worker, labels, NOW.plusSeconds(1));
  }

  @Test
  void aSignedJobVerifiesAndEveryChangeBreaksIt() {
    Job signed = signer.sign(job("_any", "{\"argv\":[\"true\"]}"), NOW.plusSeconds(60));
    assertThat(check(signed, "w1", Map.of())).isEmpty();
    JobSignature s = signed.signature();
    String mismatch = "its signature does not match its content";
    assertThat(check(new Job(JobId.generate(Clock.systemUTC()), signed.operation(), signed.kind(),
        signed.target(), signed.created(), s), "w1", Map.of())).as("another id").hasValue(mismatch);
    assertThat(check(new Job(signed.id(), new Operation("command.exec", "{\"argv\":[\"rm\"]}"),
        signed.kind(), signed.target(), signed.created(), s), "w1", Map.of())).as("other data")
        .hasValue(mismatch);
    assertThat(check(new Job(signed.id(), new Operation("shell.exec", signed.operation().data()),
        signed.kind(), signed.target(), signed.created(), s), "w1", Map.of())).as("other type")
        .hasValue(mismatch);
    assertThat(check(new Job(signed.id(), signed.operation(), signed.kind(), Target.parse("_all"),
        signed.created(), s), "w1", Map.of())).as("other target").hasValue(mismatch);
    assertThat(check(new Job(signed.id(), signed.operation(), signed.kind(), signed.target(),
        NOW.plusMillis(1), s), "w1", Map.of())).as("other creation time").hasValue(mismatch);
    assertThat(check(signed.withSignature(new JobSignature(s.keyId(), NOW.plusSeconds(3600),
        s.value())), "w1", Map.of())).as("a later expiry").hasValue(mismatch);
    assertThat(check(signed.withSignature(new JobSignature(s.keyId(), s.expires(), "AAAA")),
        "w1", Map.of())).as("a malformed value").hasValue(mismatch);
    assertThat(check(signed.withSignature(null), "w1", Map.of())).hasValue("it is not signed");
  }

  @Test
  void anExpiredSignatureIsRefused() {
    Job signed = signer.sign(job("_any", "{}"), NOW.plusSeconds(60));
    assertThat(verifier.refusal(signed, "w1", Map.of(), NOW.plusSeconds(60))).isEmpty();
    assertThat(verifier.refusal(signed, "w1", Map.of(), NOW.plusSeconds(61)))
        .hasValue("its signature expired at 2026-12-05T22:01:00Z");
  }

  @Test
  void aJobSignedForAnotherTargetIsRefused() {
    Job forWeb01 = signer.sign(job("web01", "{}"), NOW.plusSeconds(60));
    assertThat(check(forWeb01, "web01", Map.of())).isEmpty();
    assertThat(check(forWeb01, "web02", Map.of()))
        .hasValue("it is signed for target web01, which does not reach this worker");
    Job forGroup = signer.sign(job("group:web", "{}"), NOW.plusSeconds(60));
    assertThat(check(forGroup, "w1", Map.of("group", "web.dev"))).isEmpty();
    assertThat(check(forGroup, "w1", Map.of("group", "db"))).isPresent();
    assertThat(check(forGroup, "w1", Map.of())).isPresent();
  }

  @Test
  void aKeyTheWorkerDoesNotHoldIsRefusedAndRotationKeepsBothKeys() {
    WorkerKey next = WorkerKey.generate();
    Job byNext = JobSigner.of(next).sign(job("_any", "{}"), NOW.plusSeconds(60));
    assertThat(check(byNext, "w1", Map.of())).hasValue("it is signed with key "
        + next.fingerprint() + ", which this worker does not trust (--job-verify-key-file)");
    JobVerifier both = JobVerifier.of(List.of(key.publicKey(), next.publicKey()));
    assertThat(both.keyIds()).containsExactlyInAnyOrder(key.fingerprint(), next.fingerprint());
    assertThat(both.refusal(byNext, "w1", Map.of(), NOW)).isEmpty();
    assertThat(both.refusal(signer.sign(job("_any", "{}"), NOW.plusSeconds(60)), "w1", Map.of(),
        NOW)).isEmpty();
  }

  @Test
  void aVerifierNeedsValidPublicKeys() {
    assertThatThrownBy(() -> JobVerifier.of(List.of())).hasMessageContaining("no public key");
    assertThatThrownBy(() -> JobVerifier.of(List.of("bm90IGEga2V5")))
        .hasMessageContaining("not an Ed25519 public key");
    assertThat(signer.toString()).doesNotContain(key.privateKeyText());
  }
}
