package io.osapi.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The REST benchmark (scripts/bench-rest.sh): a real nats-server, a controller and two workers as
 * processes from the jar, driven over loopback by {@code wrk} (a real HTTP load generator) with
 * {@code POST /api/v1/jobs} of {@code diag.echo}: a warm-up, then a fixed time, then the wait until
 * every job created is finished. Measures jobs/s end to end (created over the time from the
 * first POST to the last job finished), POST p50/p99 (wrk's), CPU per create of the controller
 * and per run of the workers ({@code /proc/PID/stat} over the measured window), NATS messages per
 * job ({@code /varz}), POST p99 at about 2,000 POSTs/s offered, reads (stats, a page of the list,
 * a job's detail, {@code /health}) p50 over keep-alive, and the same load and reads against a bare
 * JDK {@code HttpServer} answering 201 with nothing else ({@link BareHttpServer}, its own process):
 * the floor. Batches ({@code POST /api/v1/jobs/batch}, 1,000 jobs of NDJSON each, 4 clients) are
 * measured the same way (jobs/s end to end, controller CPU per job).
 *
 * <p>Arguments: {@code --jar PATH}, {@code --seconds 20}, {@code --warmup 15}, {@code
 * --connections 16}, {@code --worker-concurrency 8} (each of the two workers' {@code
 * --concurrency}, and the design floor's bare workers'), {@code --inproc-b JOBS_PER_S} and {@code
 * --inproc-b-cpu US} (bench.sh's B of the same run, printed beside). Last line: {@code RESULT ...}.
 */
public final class RestBench {
  static final String BODY = "{\"operation\":{\"type\":\"diag.echo\",\"data\":{\"n\":1}}}";

  /** wrk's script sending {@link #BODY} as a JSON POST (the benchmarks' single creates). */
  static final String POST_LUA = "wrk.method = \"POST\"\nwrk.body = '" + BODY + "'\n"
      + "wrk.headers[\"Content-Type\"] = \"application/json\"\n";
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern TOTAL = Pattern.compile("(\\d+) requests in");
  private static final Pattern NON2XX = Pattern.compile("Non-2xx or 3xx responses: (\\d+)");
  private static final Pattern ERRORS = Pattern.compile("Socket errors: (.*)");

  private RestBench() {}

  /** What wrk measured. */
  record Wrk(double rps, long requests, double p50, double p99, long non2xx, String errors) {}

  public static void main(String[] args) throws Exception {
    String jar = "osapi-app/target/osapi-app.jar";
    int seconds = 20;
    int warmup = 15;
    int connections = 16;
    int workerConcurrency = 8;
    double inprocB = Double.NaN;
    double inprocBCpu = Double.NaN;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--jar" -> jar = args[i + 1];
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--worker-concurrency" -> workerConcurrency = Integer.parseInt(args[i + 1]);
        case "--inproc-b" -> inprocB = Double.parseDouble(args[i + 1]);
        case "--inproc-b-cpu" -> inprocBCpu = Double.parseDouble(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path tmp = Files.createTempDirectory("osapi-rest-bench");
    Path post = tmp.resolve("post.lua");
    Files.writeString(post, POST_LUA);
    Path paced = tmp.resolve("paced.lua");
    // 2,000 POSTs/s offered: each of wrk's two threads sends on a schedule of one request every
    // millisecond (its connections take the slots in turn; a slot missed while every connection
    // waits for an answer is caught up at once, so the rate offered holds while answers are slow)
    Files.writeString(paced, pacedLua(POST_LUA, PACED_RATE));
    System.out.printf(Locale.ROOT, "machine: %d cpus, load average %s; java %s%n",
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim(), System.getProperty("java.version"));

    // the floor: a bare JDK server, same limits and executor, answering 201 with nothing else
    int barePort = StoreBench.freePort();
    Process bare = listening(BareHttpServer.class, Integer.toString(barePort));
    Wrk floor;
    double floorCpu;
    double floorGet;
    try {
      String url = "http://127.0.0.1:" + barePort + "/api/v1/jobs";
      wrk(post, url, connections, warmup);
      long c0 = ProcStat.cpuNanos(bare.pid());
      floor = wrk(post, url, connections, seconds);
      floorCpu = (ProcStat.cpuNanos(bare.pid()) - c0) / 1e3 / floor.requests();
      floorGet = p50Get(URI.create("http://127.0.0.1:" + barePort + "/health"), 2000);
      System.out.printf(Locale.ROOT, "floor (bare JDK HttpServer, 201 and nothing else): %.0f"
              + " POSTs/s, p50 %.2f ms, p99 %.2f ms, %.0f us CPU per request; GET p50 %.3f ms%n",
          floor.rps(), floor.p50(), floor.p99(), floorCpu, floorGet);
    } catch (Exception e) {
      bare.destroyForcibly();
      throw e;
    }

    try (NatsServerProcess nats = NatsServerProcess.start();
        StoreBench.Controller c = StoreBench.Controller.start(jar, nats.url(), "1g")) {
      c.awaitReady(Duration.ofSeconds(60));
      // the design's floor, while the controller idles: the create's NATS writes and waits with
      // no osapi code (BareCreateServer), on the same nats-server
      DesignFloor design = designFloor(post, paced, nats, connections, warmup, seconds,
          workerConcurrency);
      System.out.printf(Locale.ROOT, "design floor (bare JDK server making a create's NATS writes"
              + " and waits, no osapi code): %.0f POSTs/s, p50 %.2f ms, p99 %.2f ms, %.0f us CPU"
              + " per request (nats-server %.0f us)%n", design.run().rps(), design.run().p50(),
          design.run().p99(), design.cpuUs(), design.natsCpuUs());
      E2eFloorBench.E2e floorE2e = design.e2e();
      System.out.printf(Locale.ROOT, "design floor end to end (that server and two bare workers"
              + " of 8 runs: claim, Ed25519-signed end, acknowledgement; no osapi code), %d POSTs/s"
              + " offered: %.0f jobs/s (%.0f POSTs/s, p99 %.2f ms); CPU per job %s%n", PACED_RATE,
          floorE2e.jobsPerS(), floorE2e.run().rps(), floorE2e.run().p99(), floorE2e.cpu());
      List<Process> workers = new ArrayList<>();
      List<Path> workerLogs = new ArrayList<>();
      try {
        for (int w = 1; w <= 2; w++) {
          Path log = tmp.resolve("worker-" + w + ".log");
          workerLogs.add(log);
          List<String> cmd = new ArrayList<>(List.of("java", "-Xmx512m", "-XX:+UseParallelGC"));
          // BENCH_WORKER_OPTS: more JVM options of each worker (a profiler: JFR)
          String opts = System.getenv("BENCH_WORKER_OPTS");
          if (opts != null && !opts.isBlank()) {
            cmd.addAll(List.of(opts.trim().split("\\s+")));
          }
          cmd.addAll(List.of("-jar", jar,
              "worker", "--nats", nats.url(), "--worker-id", "bench-w" + w, "--concurrency",
              Integer.toString(workerConcurrency),
              "--metrics-addr", "127.0.0.1:" + StoreBench.freePort(),
              "--worker-key-file", tmp.resolve("w" + w + ".key").toString()));
          workers.add(new ProcessBuilder(cmd)
              .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        awaitWorkers(c, 2);
        String api = "http://127.0.0.1:" + c.apiPort;
        String jobs = api + "/api/v1/jobs";
        System.out.println("warm-up " + warmup + " s ...");
        wrk(post, jobs, connections, warmup);
        // then on until the controller's JIT is done with the create path (its compiler threads
        // under a tenth of its CPU over 5 s), 60 s more at most: on a busy machine 15 s of
        // requests are too few for the compiler, which would count in the CPU per create
        for (int extra = 0; extra < 60; extra += 5) {
          ThreadCpu w0 = ThreadCpu.of(c.process.pid());
          wrk(post, jobs, connections, 5);
          long[] w = ThreadCpu.of(c.process.pid()).since(w0);
          long all = Arrays.stream(w).sum();
          System.out.printf(Locale.ROOT, "warm-up: the JIT used %.0f%% of the controller's CPU"
              + " over the last 5 s%n", 100.0 * w[2] / Math.max(1, all));
          if (w[2] * 10 < all) {
            break;
          }
        }
        awaitIdle(c, Duration.ofMinutes(3));

        long ctl0 = ProcStat.cpuNanos(c.process.pid());
        ThreadCpu threads0 = ThreadCpu.of(c.process.pid());
        long wk0 = cpuNanos(workers);
        long[] m0 = nats.messages();
        long n0 = nats.cpuNanos();
        long done0 = completed(c);
        long t0 = System.nanoTime();
        Wrk run = wrk(post, jobs, connections, seconds);
        long ctl1 = ProcStat.cpuNanos(c.process.pid());
        long[] byThread = ThreadCpu.of(c.process.pid()).since(threads0);
        dumpRecording(c.process.pid(), "BENCH_CONTROLLER_OPTS", "");
        long created = run.requests() - run.non2xx();
        awaitDone(c, done0 + created, Duration.ofMinutes(5));
        double e2eSeconds = (System.nanoTime() - t0) / 1e9;
        long wk1 = cpuNanos(workers);
        for (int w = 0; w < workers.size(); w++) {
          dumpRecording(workers.get(w).pid(), "BENCH_WORKER_OPTS", "-w" + (w + 1));
        }
        long[] m1 = nats.messages();
        double natsCpu = (nats.cpuNanos() - n0) / 1e3 / created;
        double e2e = created / e2eSeconds;
        double ctlCpu = (ctl1 - ctl0) / 1e3 / created;
        double wkCpu = (wk1 - wk0) / 1e3 / created;
        double msgs = (m1[0] - m0[0]) / (double) created;
        System.out.printf(Locale.ROOT, "REST: %d jobs created in %d s (%.0f POSTs/s, p50 %.2f ms,"
                + " p99 %.2f ms, non-2xx %d, socket errors %s), all finished after %.1f s: %.0f"
                + " jobs/s end to end; controller %.0f us CPU per create, workers %.0f us per"
                + " run, nats-server %.0f us per job, %.2f NATS messages per job%n", created,
            seconds, run.rps(), run.p50(), run.p99(), run.non2xx(), run.errors(), e2eSeconds, e2e,
            ctlCpu, wkCpu, natsCpu, msgs);
        System.out.println("controller CPU per create by thread: "
            + ThreadCpu.perRequest(byThread, created));
        double jitCpu = byThread[2] / 1e3 / Math.max(1, created);

        Paced first = paced(c, workers, nats, paced, jobs, connections, seconds);
        Wrk pacedRun = first.run();
        PerJob pacedCpu = first.cpu();
        System.out.printf(Locale.ROOT, "paced (%d connections, %d POSTs/s offered): %.0f"
                + " POSTs/s, p50 %.2f ms, p99 %.2f ms; CPU per job %s%n", connections, PACED_RATE,
            pacedRun.rps(), pacedRun.p50(), pacedRun.p99(), pacedCpu);
        // the paced runs again, the floor's and osapi's in turns: the noise of a shared VM comes
        // and goes within minutes, so one run of each can differ by the noise alone
        List<Double> osapiP99s = new ArrayList<>(List.of(pacedRun.p99()));
        List<Double> floorP99s = new ArrayList<>(List.of(floorE2e.run().p99()));
        for (int pair = 1; pair <= pacedPairs(); pair++) {
          E2eFloorBench.E2e f = design.pacedAgain(paced, nats, connections, seconds);
          Paced o = paced(c, workers, nats, paced, jobs, connections, seconds);
          floorP99s.add(f.run().p99());
          osapiP99s.add(o.run().p99());
          System.out.printf(Locale.ROOT, "paced in turns, pair %d: the design floor %.0f POSTs/s,"
                  + " p99 %.2f ms, CPU per job %.0f us; osapi %.0f POSTs/s, p99 %.2f ms, CPU per"
                  + " job %.0f us%n", pair, f.run().rps(), f.run().p99(), f.cpu().total(),
              o.run().rps(), o.run().p99(), o.cpu().total());
        }
        double osapiP99 = RawJnatsBaseline.median(osapiP99s);
        double floorP99 = RawJnatsBaseline.median(floorP99s);
        System.out.printf(Locale.ROOT, "paced p99, every run: osapi %s ms (median %.2f), the design"
            + " floor %s ms (median %.2f)%n", osapiP99s, osapiP99, floorP99s, floorP99);

        Batched batched = batches(c, seconds);
        System.out.printf(Locale.ROOT, "batches (1,000 jobs each, 4 clients): %d jobs created in"
                + " %d s, all finished after %.1f s: %.0f jobs/s end to end; controller %.0f us"
                + " CPU per job%n", batched.jobs(), seconds, batched.seconds(),
            batched.jobs() / batched.seconds(), batched.controllerCpuUs());

        Host host = hostTargeted(c, nats, tmp, jobs, connections, seconds);
        System.out.printf(Locale.ROOT, "creates for one host (target host:bench-w1): %.0f POSTs/s,"
                + " p99 %.2f ms; controller %.0f us CPU per create, nats-server %.0f us%n",
            host.run().rps(), host.run().p99(), host.controllerCpuUs(), host.natsCpuUs());

        Reads reads = reads(c, URI.create("http://127.0.0.1:" + barePort + "/health"));
        floorGet = reads.floor();
        double[] stats = reads.stats();
        double[] list = reads.list();
        double[] detail = reads.detail();
        double[] health = reads.health();

        System.out.printf(Locale.ROOT, "RESULT rest_jobs_per_s=%.0f post_p50_ms=%.2f"
                + " post_p99_ms=%.2f controller_cpu_us_per_create=%.0f worker_cpu_us_per_run=%.0f"
                + " nats_msgs_per_job=%.2f post_p99_ms_paced=%.2f paced_posts_per_s=%.0f"
                + " floor_posts_per_s=%.0f floor_p50_ms=%.2f floor_p99_ms=%.2f"
                + " floor_cpu_us_per_request=%.0f stats_p50_ms=%.3f list_p50_ms=%.3f"
                + " detail_p50_ms=%.3f health_p50_ms=%.3f floor_get_p50_ms=%.3f"
                + " inproc_b_jobs_per_s=%.0f inproc_b_cpu_us_per_job=%.0f rest_over_inproc_b=%.3f"
                + " batch_jobs_per_s=%.0f batch_controller_cpu_us_per_job=%.0f"
                + " controller_jit_us_per_create=%.0f design_floor_cpu_us_per_create=%.0f"
                + " design_floor_posts_per_s=%.0f nats_cpu_us_per_job=%.0f"
                + " paced_cpu_us_per_job=%.0f paced_ceiling_jobs_per_s=%.0f"
                + " design_floor_paced_cpu_us_per_job=%.0f design_floor_ceiling_jobs_per_s=%.0f"
                + " design_floor_worker_cpu_us_per_run=%.0f post_p99_ms_paced_median=%.2f"
                + " design_floor_p99_ms_paced_median=%.2f host_posts_per_s=%.0f"
                + " host_post_p99_ms=%.2f host_controller_cpu_us_per_create=%.0f"
                + " host_nats_cpu_us_per_create=%.0f worker_concurrency=%d%n",
            e2e, run.p50(), run.p99(), ctlCpu, wkCpu, msgs, pacedRun.p99(), pacedRun.rps(),
            floor.rps(), floor.p50(), floor.p99(), floorCpu, stats[0], list[0], detail[0],
            health[0], floorGet,
            inprocB, inprocBCpu, e2e / inprocB, batched.jobs() / batched.seconds(),
            batched.controllerCpuUs(), jitCpu, design.cpuUs(), design.run().rps(), natsCpu,
            pacedCpu.total(), pacedCpu.ceiling(CPUS), floorE2e.cpu().total(),
            floorE2e.cpu().ceiling(CPUS), floorE2e.cpu().workers(), osapiP99, floorP99,
            host.run().rps(), host.run().p99(), host.controllerCpuUs(), host.natsCpuUs(),
            workerConcurrency);
      } finally {
        bare.destroyForcibly();
        for (Process w : workers) {
          w.destroy();
        }
        try {
          for (Process w : workers) {
            if (!w.waitFor(20, TimeUnit.SECONDS)) {
              w.destroyForcibly();
            }
          }
        } finally {
          design.close(); // the floor's server and bare workers, whatever became of osapi's
        }
      }
    }
  }

  /**
   * CPU per job of each part (us): the server or controller, the workers, nats-server and {@code
   * wrk} (the load generator, on the same cores).
   */
  record PerJob(double server, double workers, double nats, double wrk) {
    double total() {
      return server + workers + nats + wrk;
    }

    /** The most jobs/s these parts could do on {@code cpus} cores at this CPU per job. */
    double ceiling(int cpus) {
      return cpus * 1e6 / total();
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f us (server or controller %.0f, workers %.0f,"
          + " nats-server %.0f, wrk %.0f): at most %.0f jobs/s on %d cores", total(), server,
          workers, nats, wrk, ceiling(CPUS), CPUS);
    }
  }

  static final int CPUS = Runtime.getRuntime().availableProcessors();

  /** A paced run of osapi: what {@code wrk} measured and the CPU per job of each part. */
  record Paced(Wrk run, PerJob cpu) {}

  /**
   * {@code paced} (2,000 POSTs/s offered) against the controller for {@code seconds}, then the wait
   * until its jobs are finished; the CPU per job over both.
   */
  static Paced paced(StoreBench.Controller c, List<Process> workers, NatsServerProcess nats,
      Path paced, String jobs, int connections, int seconds) throws Exception {
    long[] cpu0 = {ProcStat.cpuNanos(c.process.pid()), cpuNanos(workers), nats.cpuNanos(),
        ProcStat.childrenCpuNanos()};
    Wrk run = wrk(paced, jobs, connections, seconds);
    long load = ProcStat.childrenCpuNanos() - cpu0[3];
    awaitIdle(c, Duration.ofMinutes(3));
    long n = run.requests() - run.non2xx();
    return new Paced(run, new PerJob((ProcStat.cpuNanos(c.process.pid()) - cpu0[0]) / 1e3 / n,
        (cpuNanos(workers) - cpu0[1]) / 1e3 / n, (nats.cpuNanos() - cpu0[2]) / 1e3 / n,
        load / 1e3 / n));
  }

  /** How many more paced runs of the design's floor and of osapi, in turns (BENCH_PACED_PAIRS). */
  static int pacedPairs() {
    String v = System.getenv("BENCH_PACED_PAIRS");
    int n = v == null || v.isBlank() ? 2 : Integer.parseInt(v.trim());
    if (n < 0 || n > 20) {
      throw new IllegalArgumentException("BENCH_PACED_PAIRS must be 0 to 20: " + v);
    }
    return n;
  }


  /** What the batch run measured. */
  record Batched(long jobs, double seconds, double controllerCpuUs) {}

  /** The single creates for one host: wrk's run, and CPU per create of the controller and NATS. */
  record Host(Wrk run, double controllerCpuUs, double natsCpuUs) {}

  /**
   * {@code wrk} sending {@link #BODY} for host {@code bench-w1} (a broadcast's create: the target
   * is matched against the registered workers and the drain requests at submit) for {@code
   * seconds}, then the wait until the one worker has run them all.
   */
  static Host hostTargeted(StoreBench.Controller c, NatsServerProcess nats, Path tmp, String url,
      int connections, int seconds) throws Exception {
    Path lua = tmp.resolve("host.lua");
    Files.writeString(lua, POST_LUA.replace("}}}'", "}},\"target\":\"host:bench-w1\"}'"));
    awaitIdle(c, Duration.ofMinutes(3));
    long done0 = completed(c);
    long ctl0 = ProcStat.cpuNanos(c.process.pid());
    long n0 = nats.cpuNanos();
    Wrk run = wrk(lua, url, connections, seconds);
    long created = Math.max(1, run.requests() - run.non2xx());
    double ctl = (ProcStat.cpuNanos(c.process.pid()) - ctl0) / 1e3 / created;
    double natsCpu = (nats.cpuNanos() - n0) / 1e3 / created;
    if (run.non2xx() > 0) {
      throw new IllegalStateException(run.non2xx() + " creates for host bench-w1 refused");
    }
    awaitDone(c, done0 + created, Duration.ofMinutes(5));
    return new Host(run, ctl, natsCpu);
  }

  /**
   * {@code POST /api/v1/jobs/batch} of 1,000 jobs (NDJSON) from 4 clients for {@code seconds},
   * then the wait until every job is finished.
   */
  static Batched batches(StoreBench.Controller c, int seconds) throws Exception {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < 1000; i++) {
      b.append(BODY).append('\n');
    }
    byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
    URI uri = URI.create("http://127.0.0.1:" + c.apiPort + "/api/v1/jobs/batch");
    awaitIdle(c, Duration.ofMinutes(3));
    long done0 = completed(c);
    long ctl0 = ProcStat.cpuNanos(c.process.pid());
    java.util.concurrent.atomic.AtomicLong created = new java.util.concurrent.atomic.AtomicLong();
    long t0 = System.nanoTime();
    long end = t0 + TimeUnit.SECONDS.toNanos(seconds);
    List<Thread> clients = new ArrayList<>();
    Pattern createdField = Pattern.compile("\"created\"\\s*:\\s*(\\d+)");
    for (int k = 0; k < 4; k++) {
      Thread t = new Thread(() -> {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
        try {
          while (System.nanoTime() < end) {
            HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
            Matcher m = createdField.matcher(r.body());
            if (r.statusCode() != 200 || !m.find()) {
              throw new IllegalStateException("batch: " + r.statusCode() + " " + r.body());
            }
            created.addAndGet(Long.parseLong(m.group(1)));
          }
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });
      t.start();
      clients.add(t);
    }
    for (Thread t : clients) {
      t.join();
    }
    long ctl1 = ProcStat.cpuNanos(c.process.pid());
    awaitDone(c, done0 + created.get(), Duration.ofMinutes(5));
    double secs = (System.nanoTime() - t0) / 1e9;
    return new Batched(created.get(), secs, (ctl1 - ctl0) / 1e3 / Math.max(1, created.get()));
  }

  /**
   * With a JFR recording in the environment variable {@code env} ({@code filename=...}), dumps it
   * now, right after the single creates (the processes are stopped later without dumping it); a
   * worker's file name gets {@code suffix} ({@code -w1}, {@code -w2}) before its extension.
   */
  static void dumpRecording(long pid, String env, String suffix) throws Exception {
    String opts = System.getenv(env);
    Matcher m = Pattern.compile("StartFlightRecording[^ ]*filename=([^, ]+)")
        .matcher(opts == null ? "" : opts);
    if (m.find()) {
      String file = m.group(1).replaceFirst("(\\.jfr)?$", suffix + "$1");
      Process j = new ProcessBuilder("jcmd", Long.toString(pid), "JFR.dump",
          "filename=" + file).redirectErrorStream(true).start();
      System.out.println("JFR: " + new String(j.getInputStream().readAllBytes(),
          StandardCharsets.UTF_8).trim());
      j.waitFor(60, TimeUnit.SECONDS);
    }
  }

  /** Runs wrk; prints its output. */
  /** The offered rate of the paced run, POSTs per second. */
  static final int PACED_RATE = 2_000;

  /** wrk's {@code delay()}: a schedule per thread (LuaJIT's ffi reads the monotonic clock). */
  private static final String PACED_LUA = """
      local ffi = require("ffi")
      ffi.cdef[[
      typedef struct { long tv_sec; long tv_nsec; } osapi_timespec;
      int clock_gettime(int clk, osapi_timespec *ts);
      ]]
      local ts = ffi.new("osapi_timespec")
      local function now_ms()
        ffi.C.clock_gettime(1, ts)
        return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
      end
      local interval = 2 * 1000 / %d
      local next_at = nil
      function delay()
        local now = now_ms()
        if next_at == nil or next_at < now - 1000 then
          next_at = now
        end
        next_at = next_at + interval
        local d = next_at - now
        if d < 0 then
          return 0
        end
        return math.floor(d + 0.5)
      end
      """;

  /** wrk's script of {@code post} paced at {@code rate} POSTs/s (see {@link #PACED_LUA}). */
  static String pacedLua(String post, int rate) {
    return post + PACED_LUA.formatted(rate);
  }

  static Wrk wrk(Path script, String url, int connections, int seconds) throws Exception {
    Process p = new ProcessBuilder("wrk", "-t", "2", "-c", Integer.toString(connections), "-d",
        seconds + "s", "--latency", "-s", script.toString(), url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException("wrk failed: " + out);
    }
    Matcher rps = RPS.matcher(out);
    Matcher total = TOTAL.matcher(out);
    if (!rps.find() || !total.find()) {
      throw new IllegalStateException("wrk output not understood: " + out);
    }
    Matcher non = NON2XX.matcher(out);
    Matcher err = ERRORS.matcher(out);
    return new Wrk(Double.parseDouble(rps.group(1)), Long.parseLong(total.group(1)),
        percentile(out, "50%"), percentile(out, "99%"), non.find() ? Long.parseLong(non.group(1)) : 0,
        err.find() ? err.group(1).trim() : "none");
  }

  /** A line of wrk's latency distribution, such as {@code 99%   12.34ms}, in milliseconds. */
  private static double percentile(String out, String which) {
    Matcher m = Pattern.compile("\\s" + Pattern.quote(which) + "\\s+([0-9.]+)(us|ms|s)").matcher(out);
    if (!m.find()) {
      return Double.NaN;
    }
    double v = Double.parseDouble(m.group(1));
    return switch (m.group(2)) {
      case "us" -> v / 1000;
      case "s" -> v * 1000;
      default -> v;
    };
  }

  /**
   * The p50s of the reads (stats, a page of the list, a job's detail, {@code /health}), each
   * beside a GET of the bare server: {@code {read, floor}} in ms.
   */
  record Reads(double[] stats, double[] list, double[] detail, double[] health) {
    /** The bare server's lowest p50 of the four. */
    double floor() {
      return Math.min(Math.min(stats[1], list[1]), Math.min(detail[1], health[1]));
    }
  }

  /**
   * Measures {@link Reads} of {@code c} (which holds at least one job), each read interleaved
   * with a GET of {@code floor} (a {@link BareHttpServer}) so that both see the same machine, and
   * prints them.
   */
  static Reads reads(StoreBench.Controller c, URI floor) throws Exception {
    String jobs = "http://127.0.0.1:" + c.apiPort + "/api/v1/jobs";
    String anyJob = c.get("/api/v1/jobs?limit=1").replaceAll(
        "(?s).*?\"job_id\"\\s*:\\s*\"([^\"]+)\".*", "$1");
    Reads r = new Reads(p50Pair(URI.create(jobs + "/stats"), floor, 2000),
        p50Pair(URI.create(jobs + "?limit=20"), floor, 2000),
        p50Pair(URI.create(jobs + "/" + anyJob), floor, 2000),
        p50Pair(URI.create("http://127.0.0.1:" + c.metricsPort + "/health"), floor, 2000));
    System.out.printf(Locale.ROOT, "reads, p50 of 2,000 over keep-alive, beside the bare"
            + " server's GET: stats %.3f ms (floor %.3f), list page %.3f ms (%.3f), detail"
            + " %.3f ms (%.3f), /health %.3f ms (%.3f)%n", r.stats()[0], r.stats()[1],
        r.list()[0], r.list()[1], r.detail()[0], r.detail()[1], r.health()[0], r.health()[1]);
    return r;
  }

  /** The median of {@code n} sequential GETs over one keep-alive connection, in ms (after n/4). */
  static double p50Get(URI uri, int n) throws Exception {
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest req = HttpRequest.newBuilder(uri).build();
    double[] ms = new double[n];
    for (int i = -n / 4; i < n; i++) {
      long t = System.nanoTime();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET " + uri + ": " + r.statusCode());
      }
      if (i >= 0) {
        ms[i] = (System.nanoTime() - t) / 1e6;
      }
    }
    Arrays.sort(ms);
    return ms[n / 2];
  }

  /**
   * Medians of {@code n} rounds of a GET of {@code a} then one of {@code b}, each over its own
   * keep-alive connection, in ms (after n/4 rounds of warm-up).
   */
  static double[] p50Pair(URI a, URI b, int n) throws Exception {
    HttpClient ha = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpClient hb = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest ra = HttpRequest.newBuilder(a).build();
    HttpRequest rb = HttpRequest.newBuilder(b).build();
    double[] ma = new double[n];
    double[] mb = new double[n];
    for (int i = -n / 4; i < n; i++) {
      long t = System.nanoTime();
      int sa = ha.send(ra, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
      long t1 = System.nanoTime();
      int sb = hb.send(rb, HttpResponse.BodyHandlers.ofByteArray()).statusCode();
      long t2 = System.nanoTime();
      if (sa != 200 || sb != 200) {
        throw new IllegalStateException("GET " + a + ": " + sa + ", GET " + b + ": " + sb);
      }
      if (i >= 0) {
        ma[i] = (t1 - t) / 1e6;
        mb[i] = (t2 - t1) / 1e6;
      }
    }
    Arrays.sort(ma);
    Arrays.sort(mb);
    return new double[] {ma[n / 2], mb[n / 2]};
  }

  private static final Pattern COMPLETED = Pattern.compile("\"completed\"\\s*:\\s*(\\d+)");
  private static final Pattern TOTAL_JOBS = Pattern.compile("\"total\"\\s*:\\s*(\\d+)");

  static long completed(StoreBench.Controller c) throws Exception {
    String s = c.get("/api/v1/jobs/stats");
    Matcher m = COMPLETED.matcher(s);
    if (!m.find()) {
      throw new IllegalStateException("stats: " + s);
    }
    return Long.parseLong(m.group(1));
  }

  static void awaitDone(StoreBench.Controller c, long completed, Duration timeout)
      throws Exception {
    long end = System.nanoTime() + timeout.toNanos();
    long now = completed(c);
    while (now < completed) {
      if (System.nanoTime() > end) {
        throw new IllegalStateException(now + " jobs completed, " + completed + " expected: "
            + c.get("/api/v1/jobs/stats"));
      }
      Thread.sleep(20);
      now = completed(c);
    }
  }

  /** Waits until every job in the store is completed (the warm-up's included). */
  static void awaitIdle(StoreBench.Controller c, Duration timeout) throws Exception {
    String s = c.get("/api/v1/jobs/stats");
    Matcher t = TOTAL_JOBS.matcher(s);
    if (!t.find()) {
      throw new IllegalStateException("stats: " + s);
    }
    awaitDone(c, Long.parseLong(t.group(1)), timeout);
  }

  static void awaitWorkers(StoreBench.Controller c, int n) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < end) {
      String w = c.get("/api/v1/workers");
      if (w.split("\"bench-w").length - 1 >= n) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("workers not registered: " + c.get("/api/v1/workers"));
  }

  /** The CPU time of {@code ps} so far, summed. */
  static long cpuNanos(List<Process> ps) {
    long sum = 0;
    for (Process p : ps) {
      sum += ProcStat.cpuNanos(p.pid());
    }
    return sum;
  }

  /**
   * A bench server ({@link BareHttpServer}, {@link BareCreateServer}) in its own JVM, once it says
   * {@code listening}.
   */
  static Process listening(Class<?> main, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of("java", "-Xmx256m", "-XX:+UseParallelGC", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (!new String(p.getInputStream().readNBytes(10), StandardCharsets.UTF_8)
        .startsWith("listening")) {
      p.destroyForcibly();
      throw new IllegalStateException(main.getSimpleName() + " did not start");
    }
    return p;
  }

  /** The design floor's run: its rate and latency, its CPU and nats-server's per request. */
  /**
   * The design's floor: its unpaced creates, its first paced run end to end, and its server and
   * bare workers, kept running for the paced runs taken in turns with osapi's
   * ({@link #pacedAgain}).
   */
  record DesignFloor(Wrk run, double cpuUs, double natsCpuUs, E2eFloorBench.E2e e2e,
      Process server, BareFleet fleet, String url) implements AutoCloseable {
    /** The floor's paced run once more (after a short warm-up of its own). */
    E2eFloorBench.E2e pacedAgain(Path paced, NatsServerProcess nats, int connections,
        int seconds) throws Exception {
      return E2eFloorBench.measure(paced, url, server, fleet, nats, connections, 3, seconds);
    }

    @Override
    public void close() throws InterruptedException {
      fleet.close();
      server.destroyForcibly();
      server.waitFor();
    }
  }

  private static DesignFloor designFloor(Path post, Path paced, NatsServerProcess nats,
      int connections, int warmup, int seconds, int workerConcurrency) throws Exception {
    int port = StoreBench.freePort();
    Process p = listening(BareCreateServer.class, Integer.toString(port), nats.url());
    BareFleet fleet = null;
    try {
      String url = "http://127.0.0.1:" + port + "/api/v1/jobs";
      wrk(post, url, connections, warmup);
      long c0 = ProcStat.cpuNanos(p.pid());
      long n0 = nats.cpuNanos();
      Wrk run = wrk(post, url, connections, seconds);
      double cpu = (ProcStat.cpuNanos(p.pid()) - c0) / 1e3 / run.requests();
      double natsCpu = (nats.cpuNanos() - n0) / 1e3 / run.requests();
      // end to end: two bare workers (8 runs each, as the bench's workers) run what it creates,
      // at the paced run's rate (the controller's paced run is measured the same way)
      fleet = BareFleet.start(nats.url(), 2, workerConcurrency);
      return new DesignFloor(run, cpu, natsCpu,
          E2eFloorBench.measure(paced, url, p, fleet, nats, connections, Math.min(warmup, 10),
              seconds), p, fleet, url);
    } catch (Exception | Error e) {
      if (fleet != null) {
        fleet.close();
      }
      p.destroyForcibly();
      p.waitFor();
      throw e;
    }
  }
}
