package io.osapi.bench;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.Nats;
import io.osapi.core.port.Broker;
import io.osapi.adapter.nats.NatsBackend;
import io.osapi.adapter.nats.NatsSettings;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Versioned;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobStore;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerService;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The end-to-end load driver of {@code scripts/bench.sh}: starts its own nats-server (file
 * storage, temp dir) and runs, alternating A B C after a warm-up, the same jobs at the same
 * concurrency:
 *
 * <ul>
 *   <li>A: {@link RawJnatsBaseline}, hand-written jnats doing the minimal NATS operations of the
 *       v2 job store (create, publish; claim, finish, ack; pull requests), pipelined, each job
 *       run on the jnats thread that completed its claim;
 *   <li>P: A with each claimed job run and finished on a pool thread of its worker, the hand-off
 *       every worker whose operations may block needs (B makes it too);
 *   <li>B: osapi's JobClient ({@code createAsync}, up to {@value #IN_FLIGHT_PER_PRODUCER} in flight
 *       per producer) and WorkerService on the NATS adapter, with OtelJobMetrics and the
 *       Prometheus reader live, scraped once a second;
 *   <li>C: B with {@code JobMetrics.noop()}.
 *   <li>T: B with tracing on, ratio 1.0 (every job traced: its create and run spans, the
 *       exemplars), exported over OTLP/HTTP to a local sink that reads and drops them.
 * </ul>
 *
 * <p>Prints per round jobs/s, CPU per job (this JVM + nats-server), nats-server CPU per job, NATS
 * messages per job (the server's {@code /varz} in_msgs and out_msgs over the run, divided by the
 * jobs: pull requests, acks and heartbeats included), B's created-to-completed latency p50/p99 and
 * peak heap, and a last line {@code RESULT e2e_ratio=B/A metrics_ratio=B/C osapi_jobs_per_s=B
 * raw_jobs_per_s=A p50_ms p99_ms cpu_us_per_job_a/b/c nats_msgs_per_job_a/b tracing_ratio=T/B
 * cpu_us_per_job_t e2e_ratio_pooled=B/P raw_pooled_jobs_per_s=P cpu_us_per_job_p
 * flow_cpu_us_per_job_a/p/b/c jit_cpu_us_per_job_a/b} with medians over the rounds (the flow's CPU
 * per job: from the first submit to the last completion, each run's set-up and tear-down left
 * out; the JIT's: its compiler threads' part of the whole run's). Each round also prints this
 * JVM's CPU per job over the flow by thread role ({@link ThreadRoles}). Options: {@code --jobs N --rounds R --producers P --workers W --concurrency C
 * --warmup N}. {@code -Dbench.only=A|P|B|C|T} warms up and runs that variant alone.
 */
public final class LoadDriver {
  /** Most {@code createAsync} calls a producer of B and C keeps in flight, as A's producers. */
  static final int IN_FLIGHT_PER_PRODUCER = RawJnatsBaseline.IN_FLIGHT_PER_PRODUCER;

  private final int producers;
  private final int workers;
  private final int concurrency;
  private final String url;
  /** This JVM's and nats-server's CPU time so far, read at each run's first submit and end. */
  private java.util.function.LongSupplier cpuClock = () -> 0;
  /** Each {@link #cpuClock} reading's threads by role: the last two bracket the last flow. */
  private final java.util.ArrayDeque<ThreadRoles> roleMarks = new java.util.ArrayDeque<>();

  private LoadDriver(String url, int producers, int workers, int concurrency) {
    this.url = url;
    this.producers = producers;
    this.workers = workers;
    this.concurrency = concurrency;
  }

  /** Entry point; see the class comment for options. */
  public static void main(String[] args) throws Exception {
    Map<String, Integer> o = new java.util.HashMap<>(Map.of("jobs", 20_000, "rounds", 3,
        "producers", 2, "workers", 4, "concurrency", 8, "warmup", 5_000));
    for (int i = 0; i + 1 < args.length; i += 2) {
      String k = args[i].replaceFirst("^--", "");
      if (!o.containsKey(k)) {
        throw new IllegalArgumentException("unknown option " + args[i] + "; known: " + o.keySet());
      }
      o.put(k, Integer.parseInt(args[i + 1]));
    }
    try (NatsServerProcess nats = NatsServerProcess.start()) {
      String url = nats.url();
      LoadDriver d = new LoadDriver(url, o.get("producers"), o.get("workers"), o.get("concurrency"));
      d.cpuClock = () -> {
        d.roleMarks.addLast(ThreadRoles.now());
        if (d.roleMarks.size() > 2) {
          d.roleMarks.removeFirst();
        }
        return cpuNanos(nats);
      };
      System.out.printf(Locale.ROOT,
          "machine: %d cpus, %s; java %s; nats-server on loopback, file storage%n",
          Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
          System.getProperty("java.version"));
      System.out.printf(Locale.ROOT,
          "config: jobs=%d rounds=%d producers=%d workers=%d concurrency=%d (diag.echo)%n",
          o.get("jobs"), o.get("rounds"), o.get("producers"), o.get("workers"), o.get("concurrency"));
      System.out.println("NATS operations per job: " + RawJnatsBaseline.OPS_PER_JOB);
      callCosts(url);
      int warm = o.get("warmup");
      // diagnostics: A, B or C alone (warmed up alone), for a profiler
      String only = System.getProperty("bench.only");
      System.out.println("warm-up (" + warm + " jobs each) ...");
      if (only == null || only.equals("A")) {
        d.runA(warm, false);
      }
      if (only == null || only.equals("P")) {
        d.runA(warm, true);
      }
      if (only == null || only.equals("B")) {
        d.runOsapi(warm, true);
      }
      if (only == null || only.equals("C")) {
        d.runOsapi(warm, false);
      }
      if (only == null || only.equals("T")) {
        d.runOsapi(warm, true, true);
      }
      if (only != null) {
        System.out.println("running " + only + " only (" + o.get("jobs") + " jobs), nats-server pid "
            + nats.pid());
        Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "osapi-bench-nats.pid"),
            Long.toString(nats.pid()));
        Thread.sleep(2000);
        int n = o.get("jobs");
        Reading r0 = Reading.of(nats);
        long t0 = System.nanoTime();
        double jps = switch (only) {
          case "A" -> d.runA(n, false).jobsPerSecond();
          case "P" -> d.runA(n, true).jobsPerSecond();
          case "B" -> d.runOsapi(n, true).jobsPerSecond;
          case "T" -> d.runOsapi(n, true, true).jobsPerSecond;
          default -> d.runOsapi(n, false).jobsPerSecond;
        };
        double secs = (System.nanoTime() - t0) / 1e9;
        Reading r1 = Reading.of(nats);
        System.out.printf(Locale.ROOT, "%s: %.0f jobs/s in %.1f s, %.2f NATS messages per job into"
                + " the server (%.0f bytes; out of it %.2f, %.0f bytes), CPU per job (this JVM +"
                + " nats-server) %.0f us, of it nats-server %.0f us%n", only, jps, secs,
            r1.messagesPerJob(r0, 0, n), r1.messagesPerJob(r0, 2, n), r1.messagesPerJob(r0, 1, n),
            r1.messagesPerJob(r0, 3, n), r1.cpuPerJob(r0, n), r1.serverPerJob(r0, n));
        return;
      }
      List<Double> a = new ArrayList<>();
      List<Double> pooled = new ArrayList<>();
      List<Double> cpuP = new ArrayList<>();
      List<Double> b = new ArrayList<>();
      List<Double> c = new ArrayList<>();
      List<Double> t = new ArrayList<>();
      List<Double> cpuT = new ArrayList<>();
      List<Double> p50 = new ArrayList<>();
      List<Double> p99 = new ArrayList<>();
      long peakHeap = 0;
      int jobs = o.get("jobs");
      List<Double> cpuA = new ArrayList<>();
      List<Double> cpuB = new ArrayList<>();
      List<Double> cpuC = new ArrayList<>();
      List<Double> msgsA = new ArrayList<>();
      List<Double> msgsB = new ArrayList<>();
      List<Double> jitA = new ArrayList<>();
      List<Double> jitB = new ArrayList<>();
      List<Double> flowA = new ArrayList<>();
      List<Double> flowP = new ArrayList<>();
      List<Double> flowB = new ArrayList<>();
      List<Double> flowC = new ArrayList<>();
      for (int r = 1; r <= o.get("rounds"); r++) {
        Reading r0 = Reading.of(nats);
        Flow fa = d.runA(jobs, false);
        long[] rolesA = d.lastFlowRoles();
        double ra = fa.jobsPerSecond();
        Reading rA = Reading.of(nats); // A ends, P starts
        Flow fp = d.runA(jobs, true);
        long[] rolesP = d.lastFlowRoles();
        double rp = fp.jobsPerSecond();
        Reading rP = Reading.of(nats);
        pooled.add(rp);
        cpuP.add(rP.cpuPerJob(rA, jobs));
        System.out.printf(Locale.ROOT, "round %d: P raw, runs handed to a pool %.0f jobs/s, CPU per"
            + " job %.0f us%n", r, rp, cpuP.get(r - 1));
        Measured rb = d.runOsapi(jobs, true);
        long[] rolesB = d.lastFlowRoles();
        Reading rB = Reading.of(nats);
        Measured rc = d.runOsapi(jobs, false);
        long[] rolesC = d.lastFlowRoles();
        Reading rC = Reading.of(nats);
        Measured rt = d.runOsapi(jobs, true, true);
        Reading rT = Reading.of(nats);
        t.add(rt.jobsPerSecond);
        cpuT.add(rT.cpuPerJob(rC, jobs));
        System.out.printf(Locale.ROOT, "round %d: T osapi+otel+tracing(1.0) %.0f jobs/s, CPU per job"
            + " %.0f us%n", r, rt.jobsPerSecond, cpuT.get(r - 1));
        msgsA.add(rA.messagesPerJob(r0, 0, jobs));
        msgsB.add(rB.messagesPerJob(rP, 0, jobs));
        System.out.printf(Locale.ROOT,
            "round %d: nats-server CPU per job: A %.0f us | B %.0f us | C %.0f us%n",
            r, rA.serverPerJob(r0, jobs), rB.serverPerJob(rP, jobs), rC.serverPerJob(rB, jobs));
        System.out.printf(Locale.ROOT,
            "round %d: NATS messages per job (into the server / out of it): A %.2f / %.2f | B %.2f"
                + " / %.2f | C %.2f / %.2f%n",
            r, rA.messagesPerJob(r0, 0, jobs), rA.messagesPerJob(r0, 1, jobs),
            rB.messagesPerJob(rP, 0, jobs), rB.messagesPerJob(rP, 1, jobs),
            rC.messagesPerJob(rB, 0, jobs), rC.messagesPerJob(rB, 1, jobs));
        cpuA.add(rA.cpuPerJob(r0, jobs));
        cpuB.add(rB.cpuPerJob(rP, jobs));
        cpuC.add(rC.cpuPerJob(rB, jobs));
        System.out.printf(Locale.ROOT,
            "round %d: CPU per job (this JVM + nats-server): A %.0f us | B %.0f us | C %.0f us%n",
            r, cpuA.get(r - 1), cpuB.get(r - 1), cpuC.get(r - 1));
        jitA.add(rA.jitPerJob(r0, jobs));
        jitB.add(rB.jitPerJob(rP, jobs));
        System.out.printf(Locale.ROOT,
            "round %d: of it the JIT compiler's threads: A %.0f us | P %.0f us | B %.0f us | C %.0f"
                + " us%n", r, jitA.get(r - 1), rP.jitPerJob(rA, jobs), jitB.get(r - 1),
            rC.jitPerJob(rB, jobs));
        flowA.add(fa.flowCpuNanos() / 1e3 / jobs);
        flowP.add(fp.flowCpuNanos() / 1e3 / jobs);
        flowB.add(rb.flowCpuNanos / 1e3 / jobs);
        flowC.add(rc.flowCpuNanos / 1e3 / jobs);
        System.out.printf(Locale.ROOT,
            "round %d: CPU per job from the first submit to the last completion (set-up and"
                + " tear-down left out): A %.0f us | P %.0f us | B %.0f us | C %.0f us%n",
            r, flowA.get(r - 1), flowP.get(r - 1), flowB.get(r - 1), flowC.get(r - 1));
        System.out.printf(Locale.ROOT, "round %d: this JVM's CPU per job by thread, from the first"
                + " submit to the last completion:%n  A %s%n  P %s%n  B %s%n  C %s%n", r,
            ThreadRoles.perJob(rolesA, jobs), ThreadRoles.perJob(rolesP, jobs),
            ThreadRoles.perJob(rolesB, jobs), ThreadRoles.perJob(rolesC, jobs));
        a.add(ra);
        b.add(rb.jobsPerSecond);
        c.add(rc.jobsPerSecond);
        p50.add(rb.p50Ms);
        p99.add(rb.p99Ms);
        peakHeap = Math.max(peakHeap, Math.max(rb.peakHeapBytes, rc.peakHeapBytes));
        System.out.printf(Locale.ROOT,
            "round %d: A raw %.0f jobs/s | B osapi+otel %.0f jobs/s (p50 %.1f ms, p99 %.1f ms,"
                + " peak heap %d MiB) | C osapi+noop %.0f jobs/s%n",
            r, ra, rb.jobsPerSecond, rb.p50Ms, rb.p99Ms, rb.peakHeapBytes >> 20, rc.jobsPerSecond);
      }
      double ma = median(a);
      double mp = median(pooled);
      double mb = median(b);
      double mc = median(c);
      System.out.printf(Locale.ROOT, "peak heap (B and C runs): %d MiB%n", peakHeap >> 20);
      System.out.printf(Locale.ROOT,
          "RESULT e2e_ratio=%.3f metrics_ratio=%.3f osapi_jobs_per_s=%.0f raw_jobs_per_s=%.0f"
              + " p50_ms=%.1f p99_ms=%.1f cpu_us_per_job_a=%.0f cpu_us_per_job_b=%.0f"
              + " cpu_us_per_job_c=%.0f nats_msgs_per_job_a=%.2f nats_msgs_per_job_b=%.2f"
              + " tracing_ratio=%.3f cpu_us_per_job_t=%.0f e2e_ratio_pooled=%.3f"
              + " raw_pooled_jobs_per_s=%.0f cpu_us_per_job_p=%.0f flow_cpu_us_per_job_a=%.0f"
              + " flow_cpu_us_per_job_p=%.0f flow_cpu_us_per_job_b=%.0f"
              + " flow_cpu_us_per_job_c=%.0f jit_cpu_us_per_job_a=%.0f"
              + " jit_cpu_us_per_job_b=%.0f%n",
          mb / ma, mb / mc, mb, ma, median(p50), median(p99), median(cpuA), median(cpuB),
          median(cpuC), median(msgsA), median(msgsB), median(t) / mb, median(cpuT), mb / mp, mp,
          median(cpuP), median(flowA), median(flowP), median(flowB), median(flowC),
          median(jitA), median(jitB));
    } finally {
      stopTraceSink(); // its dispatcher thread would keep the JVM alive after the RESULT line
    }
  }

  /**
   * CPU time used so far by this JVM and the nats-server process together: on a shared machine
   * CPU per job moves far less with the neighbours' load than jobs per second.
   */
  private static long cpuNanos(NatsServerProcess nats) {
    return NatsServerProcess.jvmCpuNanos() + nats.cpuNanos();
  }

  /** CPU time used so far by this JVM's JIT compiler threads (10 ms ticks). */
  private static long jitNanos() {
    return ThreadCpu.of(ProcessHandle.current().pid()).group(2);
  }

  /**
   * At one moment: this JVM's and nats-server's CPU, nats-server's alone, the JIT compiler's, and
   * the server's message counts ({@link NatsServerProcess#messages}). Two readings bracket a run.
   */
  private record Reading(long cpu, long server, long jit, long[] messages) {
    static Reading of(NatsServerProcess nats) {
      return new Reading(cpuNanos(nats), nats.cpuNanos(), jitNanos(), nats.messages());
    }

    double cpuPerJob(Reading since, int jobs) {
      return (cpu - since.cpu) / 1e3 / jobs;
    }

    double serverPerJob(Reading since, int jobs) {
      return (server - since.server) / 1e3 / jobs;
    }

    double jitPerJob(Reading since, int jobs) {
      return (jit - since.jit) / 1e3 / jobs;
    }

    /** Per job, counter {@code i}: 0, 1 messages into and out of the server; 2, 3 their bytes. */
    double messagesPerJob(Reading since, int i, int jobs) {
      return (messages[i] - since.messages[i]) / (double) jobs;
    }
  }

  /**
   * What single NATS calls cost on this machine (the ceilings assume 110-140 us for a
   * synchronous JetStream call): medians of 2,000 each, after 2,000 of warm-up, on a scratch
   * stream.
   */
  private static void callCosts(String url) throws Exception {
    try (Connection nc = Nats.connect(url)) {
      io.nats.client.JetStreamManagement jsm = nc.jetStreamManagement();
      jsm.addStream(io.nats.client.api.StreamConfiguration.builder().name("CALLCOST")
          .subjects("callcost.>").storageType(io.nats.client.api.StorageType.File).build());
      io.nats.client.JetStream js = nc.jetStream();
      byte[] body = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      int n = 2000;
      double sync = 0;
      double rtt = 0;
      double async = 0;
      for (int round = 0; round < 2; round++) {
        long[] t = new long[n];
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          js.publish("callcost.sync", body);
          t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        sync = t[n / 2] / 1e3;
        for (int i = 0; i < n; i++) {
          long t0 = System.nanoTime();
          nc.flush(Duration.ofSeconds(5));
          t[i] = System.nanoTime() - t0;
        }
        java.util.Arrays.sort(t);
        rtt = t[n / 2] / 1e3;
        List<CompletableFuture<io.nats.client.api.PublishAck>> acks = new ArrayList<>(n);
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
          acks.add(js.publishAsync("callcost.async", body));
        }
        for (CompletableFuture<io.nats.client.api.PublishAck> f : acks) {
          f.get(30, TimeUnit.SECONDS);
        }
        async = (System.nanoTime() - t0) / 1e3 / n;
      }
      jsm.deleteStream("CALLCOST");
      System.out.printf(Locale.ROOT, "NATS call costs here (medians): synchronous JetStream publish"
          + " %.0f us, core round trip (flush) %.0f us, pipelined JetStream publish %.1f us each%n",
          sync, rtt, async);
    }
  }

  /** CPU ns per {@link ThreadRoles} role over the last run's flow (its two clock readings). */
  private long[] lastFlowRoles() {
    return roleMarks.getLast().since(roleMarks.getFirst());
  }

  /** A, or P ({@code handOff}: claimed jobs run on a pool thread, see {@link RawJnatsBaseline}). */
  private Flow runA(int jobs, boolean handOff) throws Exception {
    RawJnatsBaseline.Result r = new RawJnatsBaseline(url, producers, workers, concurrency, handOff)
        .cpuClock(cpuClock).run(jobs);
    return new Flow(jobs / (r.took().toNanos() / 1e9), r.flowCpuNanos());
  }

  /**
   * What a run of B, C or T measured; {@code flowCpuNanos}: this JVM's and nats-server's CPU from
   * the first submit to the last completion (the run's set-up and tear-down left out).
   */
  private record Measured(double jobsPerSecond, double p50Ms, double p99Ms, long peakHeapBytes,
      long flowCpuNanos) {}

  /** What a run of A or P measured; {@code flowCpuNanos} as {@link Measured}'s. */
  private record Flow(double jobsPerSecond, long flowCpuNanos) {}

  private Measured runOsapi(int jobs, boolean otel) throws Exception {
    return runOsapi(jobs, otel, false);
  }

  /** A local OTLP/HTTP sink: reads each export and answers 200 (started once). */
  private static synchronized java.net.URI traceSink() throws java.io.IOException {
    if (sink == null) {
      sink = com.sun.net.httpserver.HttpServer.create(
          new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      sink.createContext("/v1/traces", ex -> {
        try (ex) {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(200, -1);
        }
      });
      sink.start();
    }
    return java.net.URI.create("http://127.0.0.1:" + sink.getAddress().getPort() + "/v1/traces");
  }

  private static com.sun.net.httpserver.HttpServer sink;

  private static synchronized void stopTraceSink() {
    if (sink != null) {
      sink.stop(0);
      sink = null;
    }
  }

  /**
   * B (otel), C (not), or T (otel and tracing at ratio 1.0 to the local sink). B and T pass the
   * backend's job tracing as a process does (B's: no-op spans, the job id for log lines).
   */
  private Measured runOsapi(int jobs, boolean otel, boolean tracing) throws Exception {
    resetBroker();
    OperationRegistry ops = BuiltinOperations.registry();
    OtelMetricsBackend otelBackend = otel ? new OtelMetricsBackend(OtelMetricsConfig.defaults(),
        tracing ? io.osapi.adapter.otel.OtelTracingConfig.builder().endpoint(traceSink())
            .sampleRatio(1.0).build() : java.util.Optional.empty()) : null;
    io.osapi.core.port.JobTracing jobTracing = otel ? otelBackend.jobTracing()
        : io.osapi.core.port.JobTracing.noop();
    JobMetrics metrics = otel ? otelBackend.jobMetrics(ops.types()) : JobMetrics.noop();
    ConnectionMetrics connection = otel ? otelBackend.connectionMetrics() : ConnectionMetrics.noop();
    HealthMetrics health = otel ? otelBackend.healthMetrics() : HealthMetrics.noop();
    NatsSettings settings = NatsSettings.builder().server(url).build();
    AtomicLong completed = new AtomicLong();
    CountDownLatch allDone = new CountDownLatch(1);
    ConcurrentLinkedQueue<Long> latenciesMicros = new ConcurrentLinkedQueue<>();
    List<NatsBackend> backends = new ArrayList<>();
    List<WorkerService> services = new ArrayList<>();
    AtomicBoolean scraping = new AtomicBoolean(otel);
    Thread scraper = new Thread(() -> {
      while (scraping.get()) {
        otelBackend.scrape("text/plain");
        sleep(1000);
      }
    }, "bench-scraper");
    try {
      for (int w = 0; w < workers; w++) {
        NatsBackend nb = NatsBackend.connect(settings, connection, health);
        backends.add(nb);
        JobStore counting = new CompletionTap(nb.store(), () -> {
          if (completed.incrementAndGet() == jobs) {
            allDone.countDown();
          }
        }, latenciesMicros);
        WorkerConfig cfg = new WorkerConfig("bench-w" + w, Map.of(), concurrency,
            Duration.ofSeconds(30), 5, Duration.ofSeconds(1), Duration.ofSeconds(10),
            Duration.ofMillis(500));
        WorkerService ws = WorkerService.builder(cfg, Broker.of(counting, nb.queue(), nb.registry()), ops)
            .metrics(metrics).tracing(jobTracing).build();
        services.add(ws);
        ws.start();
      }
      NatsBackend clientBackend = NatsBackend.connect(settings, connection, health);
      backends.add(clientBackend);
      JobClient client = JobClient.builder(clientBackend, ops).metrics(metrics)
          .tracing(jobTracing).build();
      if (otel) {
        scraper.start();
      }
      resetPeakHeap();
      long t0 = System.nanoTime();
      long cpu0 = cpuClock.getAsLong();
      List<Thread> ps = new ArrayList<>();
      AtomicReference<Throwable> failure = new AtomicReference<>();
      int per = jobs / producers;
      for (int p = 0; p < producers; p++) {
        int count = p == producers - 1 ? jobs - per * (producers - 1) : per;
        Thread t = new Thread(() -> produce(client, count, failure), "bench-producer-" + p);
        ps.add(t);
        t.start();
      }
      for (Thread t : ps) {
        t.join();
      }
      if (failure.get() != null) {
        throw new IllegalStateException("a submit failed", failure.get());
      }
      if (!allDone.await(10, TimeUnit.MINUTES)) {
        throw new IllegalStateException("only " + completed.get() + " of " + jobs + " completed");
      }
      double secs = (System.nanoTime() - t0) / 1e9;
      long flowCpu = cpuClock.getAsLong() - cpu0;
      long heap = peakHeap();
      long[] lat = latenciesMicros.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Measured(jobs / secs, pct(lat, 0.50) / 1000.0, pct(lat, 0.99) / 1000.0, heap,
          flowCpu);
    } finally {
      scraping.set(false);
      services.forEach(s -> s.stop(Duration.ofSeconds(5)));
      backends.forEach(NatsBackend::close);
      if (otelBackend != null) {
        otelBackend.close();
      }
    }
  }

  /**
   * One producer of B or C: submits {@code count} jobs through {@code createAsync}, keeping at most
   * {@value #IN_FLIGHT_PER_PRODUCER} in flight (stored and published not yet confirmed), and
   * returns once all are confirmed.
   */
  private static void produce(JobClient client, int count, AtomicReference<Throwable> failure) {
    Semaphore inFlight = new Semaphore(IN_FLIGHT_PER_PRODUCER);
    CreateJobRequest request = new CreateJobRequest("diag.echo", "{\"n\":1}", null);
    try {
      for (int i = 0; i < count && failure.get() == null; i++) {
        inFlight.acquire();
        CompletableFuture<?> f;
        try {
          f = client.createAsync(request);
        } catch (RuntimeException e) {
          f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((v, err) -> {
          if (err != null) {
            failure.compareAndSet(null, err);
          }
          inFlight.release();
        });
      }
      inFlight.acquire(IN_FLIGHT_PER_PRODUCER);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    }
  }

  /** Removes the osapi streams and buckets so each run starts from the same empty state. */
  private void resetBroker() throws IOException, InterruptedException {
    try (Connection nc = Nats.connect(url)) {
      for (String s : List.of("JOBS", "JOBS_ADVISORIES", "KV_osapi-jobs", "KV_osapi-workers")) {
        try {
          nc.jetStreamManagement().deleteStream(s);
        } catch (JetStreamApiException e) {
          // not there yet
        }
      }
    }
  }

  /** Counts completed runs as the worker writes them and measures created-to-completed. */
  private static final class CompletionTap implements JobStore {
    private final JobStore delegate;
    private final Runnable onCompleted;
    private final ConcurrentLinkedQueue<Long> latencies;

    CompletionTap(JobStore delegate, Runnable onCompleted, ConcurrentLinkedQueue<Long> latencies) {
      this.delegate = delegate;
      this.onCompleted = onCompleted;
      this.latencies = latencies;
    }

    @Override
    public CompletableFuture<Long> create(JobRecord record) {
      return delegate.create(record);
    }

    @Override
    public Optional<Versioned<JobRecord>> find(JobId id) {
      return delegate.find(id);
    }

    @Override
    public CompletableFuture<Long> update(JobRecord record, long revision) {
      return delegate.update(record, revision);
    }

    @Override
    public Optional<Versioned<Run>> run(RunKey key) {
      return delegate.run(key);
    }

    @Override
    public CompletableFuture<Long> putRun(RunKey key, Run run, long revision) {
      CompletableFuture<Long> f = delegate.putRun(key, run, revision);
      if (run.state() != RunState.COMPLETED) {
        return f;
      }
      long createdMs = UUID.fromString(key.job().value()).getMostSignificantBits() >>> 16;
      return f.thenApply(rev -> {
        latencies.add((System.currentTimeMillis() - createdMs) * 1000);
        onCompleted.run();
        return rev;
      });
    }

    @Override
    public Map<RunKey, Run> runs(JobRecord record) {
      return delegate.runs(record);
    }

    @Override
    public io.osapi.core.port.JobWatch watch(io.osapi.core.port.JobWatch.Listener listener) {
      return delegate.watch(listener);
    }

    @Override
    public java.time.Duration retention() {
      return delegate.retention();
    }

    @Override
    public boolean delete(JobId id) {
      return delegate.delete(id);
    }
  }

  private static void resetPeakHeap() {
    System.gc();
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        p.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long sum = 0;
    for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
      if (p.getType() == MemoryType.HEAP) {
        sum += p.getPeakUsage().getUsed();
      }
    }
    return sum;
  }

  private static long pct(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
  }

  private static double median(List<Double> xs) {
    double[] a = xs.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(a);
    return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
