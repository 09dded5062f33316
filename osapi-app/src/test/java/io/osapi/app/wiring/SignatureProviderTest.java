package io.osapi.app.wiring;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunEnd;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Verification;
import io.osapi.core.service.WorkerKey;
import java.security.InvalidKeyException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Security;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The process's Ed25519 provider (Bouncy Castle's, installed by {@link Processes#create}) makes
 * the very signatures the JDK's does: each verifies the other's, and a forged, foreign or
 * replayed end still fails under it.
 */
class SignatureProviderTest {
  private final Instant t0 = Instant.parse("2026-12-06T10:00:00.123456789Z");
  private final RunKey any = RunKey.any(JobId.generate(Clock.systemUTC()));

  @AfterEach
  void installedAgain() {
    SignatureProvider.install(); // as every process of the app has it
  }

  private Run end(String result) {
    return Run.claim(null, "w1", 1, t0)
        .finish(RunState.COMPLETED, result, null, false, t0.plusMillis(5));
  }

  private static KeyDecision accepted(WorkerKey k) {
    return new KeyDecision("w1", k.publicKey(), KeyState.ACCEPTED, Instant.now());
  }

  private static boolean jdkVerifies(WorkerKey k, RunKey key, Run signed) throws Exception {
    Signature v = Signature.getInstance("Ed25519", "SunEC");
    v.initVerify(KeyFactory.getInstance("Ed25519", "SunEC").generatePublic(
        new X509EncodedKeySpec(Base64.getDecoder().decode(k.publicKey()))));
    v.update(RunEnd.bytes(key, signed));
    return v.verify(Base64.getDecoder().decode(signed.signature()));
  }

  @Test
  void theProviderIsBouncyCastlesOnceInstalledAndTheJdksWithout() {
    Security.removeProvider("BC");
    assertThat(WorkerKey.providerName()).as("without it").isEqualTo("SunEC");
    SignatureProvider.install();
    SignatureProvider.install(); // once per JVM
    assertThat(WorkerKey.providerName()).isEqualTo("BC");
    assertThat(Security.getProviders()[Security.getProviders().length - 1].getName())
        .as("added last: no other algorithm changes provider").isEqualTo("BC");
  }

  @Test
  void aProcessInstallsItInTheBackground() throws Exception {
    Security.removeProvider("BC");
    assertThat(WorkerKey.providerName()).as("until it is in").isEqualTo("SunEC");
    SignatureProvider.installInBackground().get(30, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(WorkerKey.providerName()).isEqualTo("BC");
  }

  @Test
  void eachProviderVerifiesTheOthersSignaturesAndTheyAreTheSameBytes() throws Exception {
    WorkerKey k = WorkerKey.generate();
    SignatureProvider.install();
    Run byBc = k.sign(any, end("{\"a\":1}"));
    assertThat(jdkVerifies(k, any, byBc)).as("the JDK verifies Bouncy Castle's").isTrue();

    Security.removeProvider("BC");
    Run byJdk = k.sign(any, end("{\"a\":1}"));
    assertThat(byJdk.signature()).as("RFC 8032 is deterministic").isEqualTo(byBc.signature());
    SignatureProvider.install();
    assertThat(WorkerKey.verify(any, byJdk, accepted(k))).isEqualTo(Verification.VERIFIED);
  }

  @Test
  void forgedForeignAndReplayedEndsFailUnderBouncyCastle() throws Exception {
    SignatureProvider.install();
    WorkerKey k = WorkerKey.generate();
    WorkerKey attacker = WorkerKey.generate();
    Run signed = k.sign(any, end("{\"a\":1}"));
    assertThat(WorkerKey.verify(any, signed, accepted(k))).as("positive control")
        .isEqualTo(Verification.VERIFIED);

    Run forged = new Run(signed.state(), signed.worker(), signed.attempt(), signed.started(),
        signed.ended(), "{\"a\":2}", null, false, signed.timeline(), signed.signature());
    assertThat(WorkerKey.verify(any, forged, accepted(k)).verified()).as("forged").isFalse();
    assertThat(jdkVerifies(k, any, forged)).as("the JDK agrees").isFalse();

    Run foreign = attacker.sign(any, end("{\"a\":1}"));
    assertThat(WorkerKey.verify(any, foreign, accepted(k)).verified()).as("foreign").isFalse();

    RunKey otherJob = RunKey.any(JobId.generate(Clock.systemUTC()));
    assertThat(WorkerKey.verify(otherJob, signed, accepted(k)).verified()).as("replayed")
        .isFalse();

    byte[] sig = Base64.getDecoder().decode(signed.signature());
    sig[sig.length - 1] ^= 1;
    Run flipped = signed.withSignature(Base64.getEncoder().encodeToString(sig));
    assertThat(WorkerKey.verify(any, flipped, accepted(k)).verified()).as("one bit").isFalse();
  }

  /**
   * Records the keys it is given, then signs with Bouncy Castle's own implementation: a provider
   * named {@code BC} for {@link #theProviderSignsWithItsOwnKeyObjectMadeOnce}.
   */
  public static final class RecordingSignature extends java.security.SignatureSpi {
    static final List<PrivateKey> KEYS = new CopyOnWriteArrayList<>();
    static final List<PublicKey> PUBLIC_KEYS = new CopyOnWriteArrayList<>();
    private final Signature bc;

    public RecordingSignature() throws Exception {
      bc = Signature.getInstance("Ed25519", new BouncyCastleProvider());
    }

    @Override
    protected void engineInitSign(PrivateKey key) throws InvalidKeyException {
      KEYS.add(key);
      bc.initSign(key);
    }

    @Override
    protected void engineInitVerify(PublicKey key) throws InvalidKeyException {
      PUBLIC_KEYS.add(key);
      bc.initVerify(key);
    }

    @Override
    protected void engineUpdate(byte b) throws SignatureException {
      bc.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) throws SignatureException {
      bc.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() throws SignatureException {
      return bc.sign();
    }

    @Override
    protected boolean engineVerify(byte[] sig) throws SignatureException {
      return bc.verify(sig);
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {
      throw new UnsupportedOperationException();
    }

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      throw new UnsupportedOperationException();
    }
  }

  /**
   * {@link RecordingSignature} verified {@code times} times, every time with the same key object,
   * Bouncy Castle's own (made once, not the JDK's).
   */
  private static void verifiedWithOneKeyOfBouncyCastles(int times) {
    assertThat(RecordingSignature.PUBLIC_KEYS).hasSize(times);
    assertThat(RecordingSignature.PUBLIC_KEYS.get(0).getClass().getName())
        .as("Bouncy Castle's own key, not the JDK's").startsWith("org.bouncycastle.");
    assertThat(RecordingSignature.PUBLIC_KEYS).as("made once")
        .allSatisfy(p -> assertThat(p).isSameAs(RecordingSignature.PUBLIC_KEYS.get(0)));
  }

  /** A provider named {@code BC}: Bouncy Castle's key factory, {@link RecordingSignature}. */
  private static Provider recording() {
    Provider recording = new Provider("BC", "1", "records the keys it signs with") {};
    recording.put("Signature.Ed25519", RecordingSignature.class.getName());
    recording.put("KeyFactory.Ed25519",
        "org.bouncycastle.jcajce.provider.asymmetric.edec.KeyFactorySpi$Ed25519");
    return recording;
  }

  /**
   * A controller verifying ends (a detail read) gives the provider its own key object, decoded
   * once per read of the worker's key decision, not once per end (Bouncy Castle decodes a foreign
   * key again for each verification); a forged end still fails with it.
   */
  @Test
  void controllersVerifyWithTheProvidersOwnKeyObjectDecodedOncePerDecision() throws Exception {
    Security.removeProvider("BC");
    RecordingSignature.PUBLIC_KEYS.clear();
    Security.addProvider(recording());
    try {
      WorkerKey k = WorkerKey.generate();
      io.osapi.core.memory.InMemoryWorkerRegistry registry =
          new io.osapi.core.memory.InMemoryWorkerRegistry(Clock.systemUTC(),
              java.time.Duration.ofMinutes(1));
      Instant now = Instant.now();
      registry.heartbeat(new io.osapi.core.domain.WorkerInfo("w1", java.util.Map.of(), now, now,
          0, 1, io.osapi.core.domain.SchedulingState.READY, null, null, k.publicKey()));
      io.osapi.core.service.WorkerKeys keys =
          new io.osapi.core.service.WorkerKeys(registry, Clock.systemUTC());
      keys.accept("w1");
      Run a = k.sign(any, end("{\"a\":1}"));
      Run b = k.sign(any, end("{\"a\":2}"));
      assertThat(keys.verify(any, a)).as("positive control").isEqualTo(Verification.VERIFIED);
      assertThat(keys.verify(any, b)).isEqualTo(Verification.VERIFIED);
      Run forged = new Run(b.state(), b.worker(), b.attempt(), b.started(), b.ended(),
          "{\"a\":3}", null, false, b.timeline(), b.signature());
      assertThat(keys.verify(any, forged).verified()).as("forged").isFalse();
      verifiedWithOneKeyOfBouncyCastles(3);
    } finally {
      Security.removeProvider("BC");
    }
  }

  /**
   * A worker checking privileged jobs gives the provider its own key object, made once, although
   * its trusted keys were read before the provider was installed (a worker reads them at start and
   * installs Bouncy Castle in the background); forged, expired and misdirected jobs are still
   * refused with it.
   */
  @Test
  void workersVerifyPrivilegedJobsWithTheProvidersOwnKeyObjectMadeOnce() throws Exception {
    Security.removeProvider("BC");
    WorkerKey controller = WorkerKey.generate();
    io.osapi.core.service.JobVerifier verifier =
        io.osapi.core.service.JobVerifier.of(List.of(controller.publicKey()));
    Instant now = Instant.now();
    io.osapi.core.domain.Job signed = io.osapi.core.service.JobSigner.of(controller).sign(
        new io.osapi.core.domain.Job(JobId.generate(Clock.systemUTC()),
            new io.osapi.core.domain.Operation("command.exec", "{\"argv\":[\"true\"]}"),
            io.osapi.core.domain.OperationKind.MODIFY,
            io.osapi.core.domain.Target.parse("web01"), now), now.plusSeconds(60));
    assertThat(verifier.refusal(signed, "web01", java.util.Map.of(), now))
        .as("the JDK's provider, before Bouncy Castle is installed").isEmpty();
    RecordingSignature.PUBLIC_KEYS.clear();
    Security.addProvider(recording());
    try {
      assertThat(verifier.refusal(signed, "web01", java.util.Map.of(), now))
          .as("positive control").isEmpty();
      assertThat(verifier.refusal(signed, "web01", java.util.Map.of(), now)).isEmpty();
      io.osapi.core.domain.Job forged = new io.osapi.core.domain.Job(signed.id(),
          new io.osapi.core.domain.Operation("command.exec", "{\"argv\":[\"rm\"]}"),
          signed.kind(), signed.target(), signed.created(), signed.signature());
      assertThat(verifier.refusal(forged, "web01", java.util.Map.of(), now)).as("forged")
          .hasValue("its signature does not match its content");
      assertThat(verifier.refusal(signed, "web01", java.util.Map.of(), now.plusSeconds(61)))
          .as("expired").get().asString().startsWith("its signature expired");
      assertThat(verifier.refusal(signed, "web02", java.util.Map.of(), now)).as("another host")
          .get().asString().contains("does not reach this worker");
      verifiedWithOneKeyOfBouncyCastles(5);
    } finally {
      Security.removeProvider("BC");
    }
    // the provider gone: the JDK's verifies again, with its own key
    assertThat(verifier.refusal(signed, "web01", java.util.Map.of(), now)).isEmpty();
    SignatureProvider.install();
  }

  /**
   * Bouncy Castle given another provider's key decodes it on every signature and derives its
   * public half again (a second scalar multiplication, as costly as the signature): a worker key
   * made by the JDK (as keys are generated and read) signs through Bouncy Castle's own key object,
   * made once, and the bytes are those of the JDK's provider.
   */
  @Test
  void theProviderSignsWithItsOwnKeyObjectMadeOnce() throws Exception {
    Security.removeProvider("BC");
    WorkerKey k = WorkerKey.generate();
    Run byJdk = k.sign(any, end("{\"a\":1}"));
    RecordingSignature.KEYS.clear();
    Security.addProvider(recording());
    try {
      Run first = k.sign(any, end("{\"a\":1}"));
      Run second = k.sign(any, end("{\"a\":1}"));
      assertThat(first.signature()).as("the same bytes").isEqualTo(byJdk.signature())
          .isEqualTo(second.signature());
      assertThat(RecordingSignature.KEYS).hasSize(2);
      assertThat(RecordingSignature.KEYS.get(0).getClass().getName())
          .as("Bouncy Castle's own key, not the JDK's")
          .startsWith("org.bouncycastle.");
      assertThat(RecordingSignature.KEYS.get(1)).as("made once").isSameAs(
          RecordingSignature.KEYS.get(0));
    } finally {
      Security.removeProvider("BC");
    }
    // the provider gone: the JDK's signs again, with its own key
    assertThat(k.sign(any, end("{\"a\":1}")).signature()).isEqualTo(byJdk.signature());
    SignatureProvider.install();
    assertThat(jdkVerifies(k, any, k.sign(any, end("{\"a\":2}")))).isTrue();
  }
}
