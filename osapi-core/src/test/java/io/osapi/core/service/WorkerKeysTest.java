package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.domain.Verification;
import io.osapi.core.domain.WorkerInfo;
import io.osapi.core.memory.InMemoryWorkerRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Accepting and rejecting announced keys, and verification with its cache of verified ends. */
class WorkerKeysTest {
  private final InMemoryWorkerRegistry registry =
      new InMemoryWorkerRegistry(Clock.systemUTC(), Duration.ofMinutes(1));
  private final WorkerKeys keys = new WorkerKeys(registry, Clock.systemUTC());
  private final RunKey runKey = RunKey.any(JobId.generate(Clock.systemUTC()));

  private void announce(String id, WorkerKey k) {
    Instant now = Instant.now();
    registry.heartbeat(new WorkerInfo(id, Map.of(), now, now, 0, 1, SchedulingState.READY, null,
        null, k == null ? null : k.publicKey()));
  }

  private Run end(WorkerKey k, String result) {
    Instant t = Instant.parse("2026-12-05T10:00:00Z");
    return k.sign(runKey, Run.claim(null, "w1", 1, t)
        .finish(RunState.COMPLETED, result, null, false, t.plusSeconds(1)));
  }

  @Test
  void onlyALiveWorkersAnnouncedKeyCanBeDecidedOn() {
    assertThat(keys.accept("w1")).isEqualTo(WorkerKeys.Outcome.UNKNOWN_WORKER);
    announce("w1", null);
    assertThat(keys.accept("w1")).isEqualTo(WorkerKeys.Outcome.NO_KEY);
    announce("w1", WorkerKey.generate());
    assertThat(keys.accept("w1")).isEqualTo(WorkerKeys.Outcome.DONE);
    assertThat(keys.accept("w1")).isEqualTo(WorkerKeys.Outcome.ALREADY);
    assertThat(keys.reject("w1")).isEqualTo(WorkerKeys.Outcome.DONE);
    assertThat(keys.reject("w1")).isEqualTo(WorkerKeys.Outcome.ALREADY);
  }

  @Test
  void aFingerprintGivenMustBeTheAnnouncedKeys() {
    WorkerKey mine = WorkerKey.generate();
    announce("w1", WorkerKey.generate()); // a heartbeat rewritten with someone else's key
    assertThat(keys.accept("w1", mine.fingerprint())).isEqualTo(WorkerKeys.Outcome.OTHER_KEY);
    assertThat(registry.keyDecision("w1")).isEmpty();
    announce("w1", mine);
    assertThat(keys.accept("w1", mine.fingerprint())).isEqualTo(WorkerKeys.Outcome.DONE);
  }

  @Test
  void aVerifiedEndStaysVerifiedAndATamperedOneWithItsSignatureDoesNot() {
    WorkerKey k = WorkerKey.generate();
    announce("w1", k);
    keys.accept("w1");
    Run signed = end(k, "{\"a\":1}");
    assertThat(keys.verify(runKey, signed)).isEqualTo(Verification.VERIFIED);
    assertThat(keys.verify(runKey, signed)).as("from the cache").isEqualTo(Verification.VERIFIED);
    Run tampered = new Run(signed.state(), signed.worker(), signed.attempt(), signed.started(),
        signed.ended(), "{\"a\":2}", null, false, signed.timeline(), signed.signature());
    assertThat(keys.verify(runKey, tampered).verified()).isFalse();
  }

  @Test
  void aRejectedOrReplacedKeyUnverifiesEndsVerifiedBefore() {
    WorkerKey k = WorkerKey.generate();
    announce("w1", k);
    keys.accept("w1");
    Run signed = end(k, "{}");
    assertThat(keys.verify(runKey, signed)).isEqualTo(Verification.VERIFIED);
    keys.reject("w1");
    assertThat(keys.verify(runKey, signed).reason()).contains("rejected");
    announce("w1", WorkerKey.generate()); // a new key file on the host
    keys.accept("w1");
    assertThat(keys.verify(runKey, signed).reason()).contains("does not match");
    assertThat(WorkerKeys.state(registry.workers().get(0), keys.decisions()).wire())
        .isEqualTo("accepted");
  }
}
