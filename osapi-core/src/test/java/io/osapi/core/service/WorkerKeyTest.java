package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Verification;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Signed run ends: the positive control, and each way a forged or replayed end must fail. */
class WorkerKeyTest {
  private final Instant t0 = Instant.parse("2026-12-05T10:00:00.123456789Z");
  private final WorkerKey w1 = WorkerKey.generate();
  private final WorkerKey other = WorkerKey.generate();
  private final JobId job = JobId.generate(java.time.Clock.systemUTC());
  private final RunKey any = RunKey.any(job);

  private Run end(String worker, int attempt, String result) {
    return Run.claim(null, worker, attempt, t0)
        .finish(RunState.COMPLETED, result, null, false, t0.plusMillis(5));
  }

  private KeyDecision accepted(String worker, WorkerKey k) {
    return new KeyDecision(worker, k.publicKey(), KeyState.ACCEPTED, t0);
  }

  @Test
  void anEndSignedWithTheAcceptedKeyIsVerified() {
    Run signed = w1.sign(any, end("w1", 1, "{\"a\":1}"));
    assertThat(signed.signature()).isNotBlank();
    assertThat(WorkerKey.verify(any, signed, accepted("w1", w1))).isEqualTo(Verification.VERIFIED);
  }

  @Test
  void aRunNotEndedIsNotChecked() {
    assertThat(WorkerKey.verify(any, Run.claim(null, "w1", 1, t0), accepted("w1", w1))).isNull();
  }

  @Test
  void anUnsignedEndIsUnverified() {
    Verification v = WorkerKey.verify(any, end("w1", 1, "{}"), accepted("w1", w1));
    assertThat(v.verified()).isFalse();
    assertThat(v.reason()).contains("not signed");
  }

  @Test
  void aChangedResultStateAttemptOrTimeBreaksTheSignature() {
    Run signed = w1.sign(any, end("w1", 1, "{\"a\":1}"));
    Run[] forged = {
        new Run(signed.state(), signed.worker(), signed.attempt(), signed.started(), signed.ended(),
            "{\"a\":2}", null, false, signed.timeline(), signed.signature()),
        new Run(RunState.FAILED, signed.worker(), signed.attempt(), signed.started(),
            signed.ended(), null, "x", false, signed.timeline(), signed.signature()),
        new Run(signed.state(), signed.worker(), 2, signed.started(), signed.ended(),
            signed.result(), null, false, signed.timeline(), signed.signature()),
        new Run(signed.state(), signed.worker(), signed.attempt(), signed.started(),
            signed.ended().plusNanos(1), signed.result(), null, false, signed.timeline(),
            signed.signature()),
        new Run(signed.state(), signed.worker(), signed.attempt(), signed.started(),
            signed.ended(), signed.result(), null, true, signed.timeline(), signed.signature()),
        new Run(signed.state(), "w2", signed.attempt(), signed.started(),
            signed.ended(), signed.result(), null, false, signed.timeline(), signed.signature())};
    for (Run f : forged) {
      KeyDecision d = accepted(f.worker(), w1);
      assertThat(WorkerKey.verify(any, f, d).verified()).as("%s", f).isFalse();
    }
  }

  @Test
  void aSignatureReplayedOnAnotherJobOrRunIsUnverified() {
    Run signed = w1.sign(any, end("w1", 1, "{}"));
    RunKey otherJob = RunKey.any(JobId.generate(java.time.Clock.systemUTC()));
    RunKey otherSlot = RunKey.of(job, "w1");
    assertThat(WorkerKey.verify(otherJob, signed, accepted("w1", w1)).reason())
        .contains("does not match");
    assertThat(WorkerKey.verify(otherSlot, signed, accepted("w1", w1)).verified()).isFalse();
  }

  @Test
  void anEndSignedWithAnotherKeyThanTheAcceptedOneIsUnverified() {
    Run signedByOther = other.sign(any, end("w1", 1, "{}"));
    assertThat(WorkerKey.verify(any, signedByOther, accepted("w1", w1)).reason())
        .contains("does not match the accepted key of worker w1");
  }

  @Test
  void withoutAnAcceptedKeyOrWithARejectedOneEndsAreUnverified() {
    Run signed = w1.sign(any, end("w1", 1, "{}"));
    assertThat(WorkerKey.verify(any, signed, null).reason())
        .isEqualTo("no accepted key for worker w1");
    assertThat(WorkerKey.verify(any, signed,
        new KeyDecision("w1", w1.publicKey(), KeyState.REJECTED, t0)).reason())
        .contains("rejected");
    assertThat(WorkerKey.verify(any, signed, accepted("w2", w1)).verified()).isFalse();
  }

  @Test
  void aMalformedSignatureIsAWrongOne() {
    Run signed = w1.sign(any, end("w1", 1, "{}"));
    for (String bad : new String[] {"", "!!", Base64.getEncoder().encodeToString(new byte[64])}) {
      assertThat(WorkerKey.verify(any, signed.withSignature(bad), accepted("w1", w1)).verified())
          .isFalse();
    }
  }

  @Test
  void aKeyPairRoundTripsThroughItsTextAndAMismatchedPairIsRefused() {
    WorkerKey back = WorkerKey.of(w1.privateKeyText(), w1.publicKey());
    assertThat(back.publicKey()).isEqualTo(w1.publicKey());
    Run signed = back.sign(any, end("w1", 1, "{}"));
    assertThat(WorkerKey.verify(any, signed, accepted("w1", w1)).verified()).isTrue();
    assertThatThrownBy(() -> WorkerKey.of(w1.privateKeyText(), other.publicKey()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belong together");
    assertThat(w1.toString()).doesNotContain(w1.privateKeyText());
    assertThat(w1.fingerprint()).startsWith("SHA256:").hasSize(7 + 32);
  }
}
