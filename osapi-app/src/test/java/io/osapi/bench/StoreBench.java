package io.osapi.bench;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.Message;
import io.nats.client.Nats;
import io.osapi.adapter.nats.NatsBackend;
import io.osapi.adapter.nats.NatsSettings;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.Target;
import io.osapi.core.port.JobStore;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * The read benchmark of the job store (scripts/bench-store.sh): a real nats-server, N finished jobs
 * of the real layout loaded straight into bucket {@code osapi-jobs} (records {@code jobs.<id>}
 * with {@code Osapi-Expected: 0}, runs {@code runs.<id>._any} with {@code Osapi-State}, values
 * from the adapter's codec: written through {@code NatsJobStore} itself, as pipelined async
 * publishes), then a real controller ({@code java -jar osapi-app.jar controller}) started on
 * them, measured over loopback through the REST API: time to ready, job detail, list pages (first,
 * deep offset, status filter, cursor), stats, and the heap the index takes per job (live heap
 * after a full GC, less that of the same controller on an empty bucket). One job in 100 failed,
 * one in 1,000 never claimed (submitted); the rest completed. The jobs vary as {@link
 * StoreBenchFilters} says (operations, workers, creation times), which also measures the filtered
 * pages (operation and status, worker, created_after, all of them with a cursor).
 *
 * <p>Arguments: {@code --jobs N} (1,000,000), {@code --jar PATH} (osapi-app/target/osapi-app.jar),
 * {@code --heap 1g} (the controller's -Xmx), {@code --samples 200}. Last line: {@code RESULT ...}.
 */
public final class StoreBench {
  private StoreBench() {}

  public static void main(String[] args) throws Exception {
    int jobs = 1_000_000;
    String jar = "osapi-app/target/osapi-app.jar";
    String heap = "1g";
    int samples = 200;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--jobs" -> jobs = Integer.parseInt(args[i + 1].replace("_", ""));
        case "--jar" -> jar = args[i + 1];
        case "--heap" -> heap = args[i + 1];
        case "--samples" -> samples = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    run(jobs, jar, heap, samples);
  }

  private static void run(int jobs, String jar, String heap, int samples) throws Exception {
    try (NatsServerProcess nats = NatsServerProcess.start()) {
      // the controller on an empty bucket: its live heap is the baseline (it also provisions)
      long baseHeap;
      try (Controller c = Controller.start(jar, nats.url(), heap)) {
        c.awaitReady(Duration.ofSeconds(60));
        Thread.sleep(1000);
        baseHeap = c.liveHeap();
      }
      Instant loadStart = Instant.now();
      List<JobId> ids = load(nats.url(), jobs, loadStart);
      System.out.print("right after the load: ");
      rawReads(nats.url(), ids, samples);
      double readySeconds;
      try (Controller c = Controller.start(jar, nats.url(), heap)) {
        readySeconds = c.awaitReady(Duration.ofSeconds(300));
        Thread.sleep(1000);
        long heapNow = c.liveHeap();
        double bytesPerJob = (heapNow - baseHeap) / (double) jobs;
        String stats = c.get("/api/v1/jobs/stats");
        System.out.println("stats: " + stats);
        Random rnd = new Random(7);
        // warm up the API and the JIT a little, as any long-running controller is
        for (int i = 0; i < WARM_UP; i++) {
          c.get("/api/v1/jobs/" + ids.get(rnd.nextInt(ids.size())).value());
          c.get("/api/v1/jobs?limit=50&offset=" + rnd.nextInt(jobs));
          c.get("/api/v1/jobs/stats");
        }
        // job detail, each request beside a raw jnats read of another job's record and run (two
        // direct gets at once, on a connection of its own): the floor under a detail, at the
        // same moment, so both see the same machine (shared, busy at times)
        double[] newestPair = interleaved(c, nats.url(), samples,
            () -> ids.get(ids.size() - 1 - rnd.nextInt(Math.min(1000, ids.size()))));
        double[] detailPair = interleaved(c, nats.url(), samples,
            () -> ids.get(rnd.nextInt(ids.size())));
        double detail = detailPair[0];
        double detailNewest = newestPair[0];
        RawReads late = new RawReads(detailPair[2], detailPair[1], newestPair[1]);
        double first = c.p50(samples, i -> "/api/v1/jobs?limit=50");
        // deep offsets, never below 0 (a run with fewer jobs than samples reads from the start)
        double deep = c.p50(samples,
            i -> "/api/v1/jobs?limit=50&offset=" + Math.max(0, jobs - 50 - i));
        double filtered = c.p50(samples, i -> "/api/v1/jobs?status=failed&limit=50&offset="
            + Math.max(0, jobs / 100 - 50 - i));
        double filteredRare = c.p50(samples, i -> "/api/v1/jobs?status=submitted&limit=50");
        double cursor = c.p50(samples, i -> "/api/v1/jobs?limit=50&after="
            + ids.get(rnd.nextInt(ids.size())).value());
        double statsMs = c.p50(samples, i -> "/api/v1/jobs/stats");
        StoreBenchFilters.Result search =
            StoreBenchFilters.measure(c, samples, jobs, ids, loadStart);
        double worstList = Math.max(Math.max(Math.max(first, deep),
            Math.max(Math.max(filtered, filteredRare), cursor)), search.worst());
        System.out.printf(Locale.ROOT,
            "RESULT jobs=%d ready_s=%.1f detail_p50_ms=%.2f detail_newest_p50_ms=%.2f"
                + " list_first_p50_ms=%.2f"
                + " list_deep_offset_p50_ms=%.2f list_status_failed_deep_p50_ms=%.2f"
                + " list_status_submitted_p50_ms=%.2f list_cursor_p50_ms=%.2f stats_p50_ms=%.2f"
                + " index_heap_bytes_per_job=%.1f raw_get_p50_ms=%.2f raw_pair_p50_ms=%.2f"
                + " raw_pair_newest_p50_ms=%.2f %s targets=%s%n",
            jobs, readySeconds, detail, detailNewest, first, deep, filtered, filteredRare, cursor, statsMs,
            bytesPerJob, late.get, late.pair, late.pairNewest, search.fields(),
            detail <= 2 && worstList <= 10 && statsMs <= 5 && readySeconds <= 30
                && bytesPerJob <= StoreBenchFilters.INDEX_BYTES_PER_JOB ? "met" : "missed");
      }
    }
  }

  /** Medians of raw jnats reads, without osapi: the ceiling of a job's detail. */
  record RawReads(double get, double pair, double pairNewest) {}

  /**
   * The floor under a detail, measured with jnats alone on its own connection right after the
   * load: one KV get of a random job's record ({@code KeyValue.get}: a direct get of
   * the subject's last message), and the record and {@code _any} run of a random job, or of one of
   * the newest 1,000 jobs, as two direct-get requests sent at once (one round trip).
   */
  static RawReads rawReads(String url, List<JobId> ids, int samples) throws Exception {
    try (Connection conn = Nats.connect(url)) {
      KeyValue kv = conn.keyValue("osapi-jobs");
      Random rnd = new Random(3);
      for (int i = 0; i < 100; i++) {
        kv.get("jobs." + ids.get(rnd.nextInt(ids.size())).value());
      }
      double[] get = new double[samples];
      double[] pair = new double[samples];
      double[] newest = new double[samples];
      String direct = "$JS.API.DIRECT.GET.KV_osapi-jobs.$KV.osapi-jobs.";
      for (int i = 0; i < samples; i++) {
        String id = ids.get(rnd.nextInt(ids.size())).value();
        long t = System.nanoTime();
        if (kv.get("jobs." + id) == null) {
          throw new IllegalStateException("job " + id + " not found");
        }
        get[i] = (System.nanoTime() - t) / 1e6;
        for (int k = 0; k < 2; k++) {
          String j = k == 0 ? ids.get(rnd.nextInt(ids.size())).value()
              : ids.get(ids.size() - 1 - rnd.nextInt(Math.min(1000, ids.size()))).value();
          t = System.nanoTime();
          CompletableFuture<Message> rec = conn.requestWithTimeout(direct + "jobs." + j, null,
              Duration.ofSeconds(5));
          CompletableFuture<Message> run = conn.requestWithTimeout(direct + "runs." + j + "._any",
              null, Duration.ofSeconds(5));
          rec.get(5, TimeUnit.SECONDS);
          run.get(5, TimeUnit.SECONDS);
          (k == 0 ? pair : newest)[i] = (System.nanoTime() - t) / 1e6;
        }
      }
      Arrays.sort(get);
      Arrays.sort(pair);
      Arrays.sort(newest);
      System.out.printf(Locale.ROOT, "raw jnats, p50 of %d: KV get of a random record %.2f ms;"
          + " record + run at once: random job %.2f ms, one of the newest 1,000 %.2f ms%n",
          samples, get[samples / 2], pair[samples / 2], newest[samples / 2]);
      return new RawReads(get[samples / 2], pair[samples / 2], newest[samples / 2]);
    }
  }

  /**
   * p50s of {@code n} rounds of: a GET of a job's detail, a raw jnats read of another job's record
   * and run (two direct gets sent at once), a raw KV get of a third job's record.
   *
   * @return API detail ms, raw pair ms, raw get ms
   */
  static double[] interleaved(Controller c, String url, int n,
      java.util.function.Supplier<JobId> job) throws Exception {
    double[] api = new double[n];
    double[] pair = new double[n];
    double[] get = new double[n];
    String direct = "$JS.API.DIRECT.GET.KV_osapi-jobs.$KV.osapi-jobs.";
    try (Connection conn = Nats.connect(url)) {
      KeyValue kv = conn.keyValue("osapi-jobs");
      for (int i = 0; i < n; i++) {
        String p = "/api/v1/jobs/" + job.get().value();
        long t = System.nanoTime();
        c.get(p);
        api[i] = (System.nanoTime() - t) / 1e6;
        String j = job.get().value();
        t = System.nanoTime();
        CompletableFuture<Message> rec = conn.requestWithTimeout(direct + "jobs." + j, null,
            Duration.ofSeconds(5));
        CompletableFuture<Message> run = conn.requestWithTimeout(direct + "runs." + j + "._any",
            null, Duration.ofSeconds(5));
        rec.get(5, TimeUnit.SECONDS);
        run.get(5, TimeUnit.SECONDS);
        pair[i] = (System.nanoTime() - t) / 1e6;
        String k = job.get().value();
        t = System.nanoTime();
        kv.get("jobs." + k);
        get[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    Arrays.sort(api);
    Arrays.sort(pair);
    Arrays.sort(get);
    System.out.printf(Locale.ROOT, "detail p50 %.2f ms beside raw jnats: record + run at once"
        + " %.2f ms, KV get of a record %.2f ms%n", api[n / 2], pair[n / 2], get[n / 2]);
    return new double[] {api[n / 2], pair[n / 2], get[n / 2]};
  }

  /** Rounds of detail, list and stats requests before measuring (the JIT compiles meanwhile). */
  private static final int WARM_UP = 1000;

  /**
   * The storage osapi may take in NATS, of the loader and the controller: 2,000,000 messages are
   * over the default 1 GiB's share for the job bucket (the load's writes were refused).
   */
  static final long NATS_MAX_BYTES = 8L << 30;

  /** Writes in flight while loading. */
  private static final int WINDOW = 10_000;

  /** Loads {@code n} jobs through the real store, pipelined; returns their ids. */
  static List<JobId> load(String url, int n, Instant now) throws Exception {
    NatsSettings settings = NatsSettings.builder().servers(List.of(url))
        .connectionName("osapi-store-bench").startupWait(Duration.ofSeconds(20))
        .requestTimeout(Duration.ofSeconds(60)) // a busy shared machine: no lost acks
        .maxBytes(NATS_MAX_BYTES).build();
    List<JobId> ids = new ArrayList<>(n);
    long t0 = System.nanoTime();
    try (NatsBackend b = NatsBackend.connect(settings)) {
      if (!b.isReady()) {
        throw new IllegalStateException("NATS not ready: " + b.lastError());
      }
      JobStore store = b.store();
      Semaphore window = new Semaphore(WINDOW);
      AtomicLong failed = new AtomicLong();
      java.util.concurrent.atomic.AtomicReference<Throwable> firstFailure =
          new java.util.concurrent.atomic.AtomicReference<>();
      Clock clock = Clock.systemUTC();
      for (int i = 0; i < n; i++) {
        Job job = new Job(JobId.generate(clock),
            new Operation(StoreBenchFilters.operation(i), "{\"n\":" + i + "}"),
            OperationKind.QUERY, Target.parse("_any"), StoreBenchFilters.created(now, n, i));
        ids.add(job.id());
        window.acquire();
        CompletableFuture<Long> f = store.create(JobRecord.submitted(job, List.of()));
        f.whenComplete((r, e) -> {
          window.release();
          if (e != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
        });
        if (i % 1000 == 999) {
          continue; // never claimed: submitted
        }
        Run run = Run.claim(null, StoreBenchFilters.worker(i), 1, now);
        run = i % 100 == 7
            ? run.finish(RunState.FAILED, null, "bench failure", false, now)
            : run.finish(RunState.COMPLETED, "{\"ok\":true}", null, false, now);
        window.acquire();
        store.putRun(RunKey.any(job.id()), run, 0).whenComplete((r, e) -> {
          window.release();
          if (e != null) {
            failed.incrementAndGet();
            firstFailure.compareAndSet(null, e);
          }
        });
        if (i % 100_000 == 99_999) {
          System.out.printf(Locale.ROOT, "loaded %d jobs (%.0f s)%n", i + 1,
              (System.nanoTime() - t0) / 1e9);
        }
      }
      window.acquire(WINDOW);
      if (failed.get() > 0) {
        throw new IllegalStateException(failed.get() + " writes failed, the first:",
            firstFailure.get());
      }
    }
    System.out.printf(Locale.ROOT, "loaded %d jobs (%d messages) in %.1f s%n", n,
        n + n - n / 1000, (System.nanoTime() - t0) / 1e9);
    return ids;
  }

  /** A controller process on loopback. */
  static final class Controller implements AutoCloseable {
    final Process process;
    final int apiPort;
    final int metricsPort;
    final long startNanos = System.nanoTime();
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    final Path log;

    private Controller(Process process, int apiPort, int metricsPort, Path log) {
      this.process = process;
      this.apiPort = apiPort;
      this.metricsPort = metricsPort;
      this.log = log;
    }

    static Controller start(String jar, String nats, String heap) throws IOException {
      List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap, "-XX:+UseParallelGC"));
      // BENCH_CONTROLLER_OPTS: more JVM options of the controller (a profiler: JFR)
      String opts = System.getenv("BENCH_CONTROLLER_OPTS");
      if (opts != null && !opts.isBlank()) {
        jvm.addAll(List.of(opts.trim().split("\\s+")));
      }
      List<String> cmd = new ArrayList<>(List.of("java"));
      cmd.addAll(jvm);
      cmd.addAll(List.of("-jar", jar));
      return start(cmd, List.of("controller", "--nats", nats,
          "--nats-max-bytes", (NATS_MAX_BYTES >> 30) + "g"));
    }

    /**
     * {@code LAUNCHER ARGS --api-addr ... --metrics-addr ...} on free loopback ports, where
     * {@code launcher} runs the jar ({@code java ... -jar JAR}, or {@code scripts/run.sh}): a
     * controller, or the all-in-one process (no command). The launcher must exec the JVM (its
     * pid is the process measured).
     */
    static Controller start(List<String> launcher, List<String> args) throws IOException {
      int api = freePort();
      int metrics = freePort();
      Path log = Files.createTempFile("osapi-store-bench-controller", ".log");
      List<String> cmd = new ArrayList<>(launcher);
      cmd.addAll(args);
      cmd.addAll(List.of("--api-addr", "127.0.0.1:" + api, "--metrics-addr",
          "127.0.0.1:" + metrics));
      Process p = new ProcessBuilder(cmd)
          .redirectErrorStream(true).redirectOutput(log.toFile()).start();
      return new Controller(p, api, metrics, log);
    }

    /** Waits for /health/ready = 200; returns seconds since the process was started. */
    double awaitReady(Duration timeout) throws Exception {
      long end = System.nanoTime() + timeout.toNanos();
      String last = "";
      while (System.nanoTime() < end) {
        if (!process.isAlive()) {
          throw new IllegalStateException("controller exited: " + Files.readString(log));
        }
        try {
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + metricsPort + "/health/ready"))
              .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() == 200) {
            double s = (System.nanoTime() - startNanos) / 1e9;
            System.out.printf(Locale.ROOT, "controller ready after %.1f s (last: %s)%n", s, last);
            return s;
          }
          last = r.body();
        } catch (IOException e) {
          // not listening yet
        }
        Thread.sleep(50);
      }
      throw new IllegalStateException("controller not ready within " + timeout + ": " + last);
    }

    /** Live heap after a full GC (jcmd GC.class_histogram's total). */
    long liveHeap() throws Exception {
      Process j = new ProcessBuilder("jcmd", Long.toString(process.pid()), "GC.class_histogram")
          .redirectErrorStream(true).start();
      String out = new String(j.getInputStream().readAllBytes());
      j.waitFor(60, TimeUnit.SECONDS);
      String[] lines = out.strip().split("\n");
      String total = lines[lines.length - 1].trim();
      if (!total.startsWith("Total")) {
        throw new IllegalStateException("jcmd: " + out);
      }
      String[] f = total.split("\\s+");
      return Long.parseLong(f[2]);
    }

    String get(String path) throws Exception {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + apiPort + path)).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
      }
      return r.body();
    }

    /** The median of {@code n} sequential GETs, in milliseconds. */
    double p50(int n, IntFunction<String> path) throws Exception {
      double[] ms = new double[n];
      for (int i = 0; i < n; i++) {
        String p = path.apply(i);
        long t = System.nanoTime();
        get(p);
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
      Arrays.sort(ms);
      return ms[n / 2];
    }

    @Override
    public void close() throws Exception {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
