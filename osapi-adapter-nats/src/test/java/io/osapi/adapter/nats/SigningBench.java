package io.osapi.adapter.nats;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.KeyDecision;
import io.osapi.core.domain.KeyState;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Verification;
import io.osapi.core.service.WorkerKey;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * What signing adds to the worker's end of a run, measured against the unsigned end in the same
 * run: the end as the worker makes it ({@link Run#finish}) and the bytes it stores ({@link
 * Records#run}), without and with the Ed25519 signature; the reader's verification of one end, a
 * controller's of distinct ends, and a worker's check of a privileged job ({@code JobVerifier}).
 * Signing and verifying are measured twice per round: with the JDK's provider, and with Bouncy
 * Castle's installed (as osapi-app's processes have it, {@code SignatureProvider}; the core prefers
 * it when installed). Times are the measuring thread's CPU time per operation. Rounds alternate,
 * medians are printed with the ratios; last line {@code RESULT ...}.
 *
 * <pre>scripts/bench-signing.sh [ops per round, default 2000] [rounds, default 7]</pre>
 */
public final class SigningBench {
  private static volatile Object sink;
  /** CPU time of the measuring thread: the figure holds on a busy machine too. */
  private static final java.lang.management.ThreadMXBean CPU =
      java.lang.management.ManagementFactory.getThreadMXBean();

  private SigningBench() {}

  public static void main(String[] args) {
    int ops = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    WorkerKey key = WorkerKey.generate();
    RunKey runKey = RunKey.any(JobId.generate(Clock.systemUTC()));
    Instant t0 = Instant.now();
    Run held = Run.claim(null, "web01.example.com", 1, t0);
    String result = "{\"hostname\":\"web01.example.com\",\"uptime_seconds\":123456.78}";
    KeyDecision accepted = new KeyDecision("web01.example.com", key.publicKey(),
        KeyState.ACCEPTED, t0);
    byte[] stored = Records.run(key.sign(runKey,
        held.finish(RunState.COMPLETED, result, null, false, t0.plusMillis(3))));

    // a worker reads its trusted keys at start, before Bouncy Castle is installed
    WorkerKey controller = WorkerKey.generate();
    io.osapi.core.service.JobVerifier verifier =
        io.osapi.core.service.JobVerifier.of(java.util.List.of(controller.publicKey()));
    io.osapi.core.domain.Job privileged = io.osapi.core.service.JobSigner.of(controller).sign(
        new io.osapi.core.domain.Job(JobId.generate(Clock.systemUTC()),
            new io.osapi.core.domain.Operation("command.exec", "{\"argv\":[\"true\"]}"),
            io.osapi.core.domain.OperationKind.MODIFY,
            io.osapi.core.domain.Target.parse("web01.example.com"), t0), t0.plusSeconds(3600));

    java.security.Provider bc = new org.bouncycastle.jce.provider.BouncyCastleProvider();
    for (int w = 0; w < 3; w++) { // warm-up: every path compiled before measuring
      unsigned(held, result, t0, ops);
      for (boolean withBc : new boolean[] {false, true}) {
        provider(bc, withBc);
        signed(held, key, runKey, result, t0, ops);
        verify(runKey, stored, accepted, ops / 4);
        verifyAsController(key, runKey, held, result, t0, ops / 4);
        verifyJob(verifier, privileged, t0, ops / 4);
      }
    }
    double[] u = new double[rounds];
    double[] s = new double[rounds];
    double[] v = new double[rounds];
    double[] sb = new double[rounds];
    double[] vb = new double[rounds];
    double[] vc = new double[rounds];
    double[] vj = new double[rounds];
    for (int r = 0; r < rounds; r++) {
      u[r] = unsigned(held, result, t0, ops);
      provider(bc, false);
      s[r] = signed(held, key, runKey, result, t0, ops);
      v[r] = verify(runKey, stored, accepted, ops / 4);
      provider(bc, true);
      sb[r] = signed(held, key, runKey, result, t0, ops);
      vb[r] = verify(runKey, stored, accepted, ops / 4);
      vc[r] = verifyAsController(key, runKey, held, result, t0, ops / 4);
      vj[r] = verifyJob(verifier, privileged, t0, ops / 4);
      System.out.printf(Locale.ROOT, "round %d: unsigned end %.2f us; JDK: signed end %.2f us,"
          + " verify %.2f us; BC: signed end %.2f us, verify %.2f us, as a controller %.2f us,"
          + " a privileged job as a worker %.2f us (CPU)%n", r + 1, u[r] / 1000, s[r] / 1000,
          v[r] / 1000, sb[r] / 1000, vb[r] / 1000, vc[r] / 1000, vj[r] / 1000);
    }
    provider(bc, false);
    double mu = median(u);
    double ms = median(s);
    double mv = median(v);
    double msb = median(sb);
    double mvb = median(vb);
    double mvc = median(vc);
    System.out.printf(Locale.ROOT, "RESULT unsigned_end_us=%.2f signed_end_us=%.2f"
        + " signing_added_us=%.2f signed/unsigned=%.1f verify_us=%.2f signed_end_us_bc=%.2f"
        + " signing_added_us_bc=%.2f verify_us_bc=%.2f jdk_over_bc_sign=%.1f"
        + " jdk_over_bc_verify=%.1f verify_us_bc_controller=%.2f verify_us_bc_privileged_job=%.2f"
        + " ops=%d rounds=%d%n",
        mu / 1000, ms / 1000, (ms - mu) / 1000, ms / mu, mv / 1000, msb / 1000,
        (msb - mu) / 1000, mvb / 1000, ms / msb, mv / mvb, mvc / 1000, median(vj) / 1000, ops,
        rounds);
  }

  /** Bouncy Castle's provider installed (last, as the app does) or not. */
  private static void provider(java.security.Provider bc, boolean installed) {
    java.security.Security.removeProvider(bc.getName());
    if (installed) {
      java.security.Security.addProvider(bc);
    }
    String want = installed ? "BC" : "SunEC";
    if (!WorkerKey.providerName().equals(want)) {
      throw new IllegalStateException("signing with " + WorkerKey.providerName() + ", not " + want);
    }
  }

  private static double unsigned(Run held, String result, Instant t0, int ops) {
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      Run end = held.finish(RunState.COMPLETED, result, null, false, t0.plusNanos(i));
      sink = Records.run(end);
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) ops;
  }

  private static double signed(Run held, WorkerKey key, RunKey runKey, String result, Instant t0,
      int ops) {
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      Run end = key.sign(runKey,
          held.finish(RunState.COMPLETED, result, null, false, t0.plusNanos(i)));
      sink = Records.run(end);
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) ops;
  }

  /**
   * A worker's check of a privileged job before its claim ({@code JobVerifier.refusal}: the
   * signature, the expiry, the target), {@code ops} times.
   */
  private static double verifyJob(io.osapi.core.service.JobVerifier verifier,
      io.osapi.core.domain.Job job, Instant now, int ops) {
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      java.util.Optional<String> refusal =
          verifier.refusal(job, "web01.example.com", java.util.Map.of(), now);
      if (refusal.isPresent()) {
        throw new IllegalStateException(refusal.get());
      }
      sink = refusal;
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) ops;
  }

  private static double verify(RunKey runKey, byte[] stored, KeyDecision accepted, int ops) {
    long start = CPU.getCurrentThreadCpuTime();
    for (int i = 0; i < ops; i++) {
      Verification v = WorkerKey.verify(runKey, Records.run("bench", stored), accepted);
      if (!v.verified()) {
        throw new IllegalStateException(v.reason());
      }
      sink = v;
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) ops;
  }

  /**
   * A controller's verification of {@code ops} distinct ends ({@code WorkerKeys.verify}, as a
   * detail read makes it: the worker's accepted key read and decoded once, each end's digest
   * computed and looked up first); the ends are signed and stored before the clock starts.
   */
  private static double verifyAsController(WorkerKey key, RunKey runKey, Run held,
      String result, Instant t0, int ops) {
    io.osapi.core.memory.InMemoryWorkerRegistry registry =
        new io.osapi.core.memory.InMemoryWorkerRegistry(Clock.systemUTC(),
            java.time.Duration.ofMinutes(1));
    Instant now = Instant.now();
    registry.heartbeat(new io.osapi.core.domain.WorkerInfo(held.worker(), java.util.Map.of(), now,
        now, 0, 1, io.osapi.core.domain.SchedulingState.READY, null, null, key.publicKey()));
    io.osapi.core.service.WorkerKeys keys =
        new io.osapi.core.service.WorkerKeys(registry, Clock.systemUTC());
    keys.accept(held.worker());
    java.util.List<Run> ends = new java.util.ArrayList<>(ops);
    for (int i = 0; i < ops; i++) {
      ends.add(Records.run("bench", Records.run(key.sign(runKey,
          held.finish(RunState.COMPLETED, result, null, false, t0.plusNanos(i))))));
    }
    long start = CPU.getCurrentThreadCpuTime();
    for (Run end : ends) {
      Verification v = keys.verify(runKey, end);
      if (!v.verified()) {
        throw new IllegalStateException(v.reason());
      }
      sink = v;
    }
    return (CPU.getCurrentThreadCpuTime() - start) / (double) ops;
  }

  private static double median(double[] xs) {
    double[] c = xs.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }
}
