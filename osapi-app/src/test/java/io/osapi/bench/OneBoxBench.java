package io.osapi.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One box, one osapi process (scripts/bench-one-box.sh): the all-in-one process from the jar (REST
 * API, job client and one worker in one JVM) as a user runs it, started by {@code scripts/run.sh}
 * with its JVM options (or by {@code java -jar JAR} with the JVM's defaults, given {@code --jar}):
 * first on the embedded in-memory broker (the default), then on a nats-server of its own (temp
 * store dir, free loopback port). Each is driven as scripts/bench-rest.sh drives the controller:
 * {@code wrk} with {@code POST /api/v1/jobs} of {@code diag.echo} over loopback, a warm-up, a fixed
 * time, the wait until every job created is finished; then the same POSTs paced at 2,000/s offered
 * (for the p99), and batches of 1,000 jobs from 4 clients. Measured: jobs/s end to end (created
 * over the time from the first POST to the last job finished), POST p50/p99, the process's CPU per
 * job over that window (its creates and its runs), and on NATS nats-server's. Both brokers keep the
 * same API, audit records, admission and runs; the embedded one keeps jobs in the process only (a
 * restart loses them), NATS on disk. Then the reads (stats, a page of the list, a job's detail,
 * {@code /health}), each beside a GET of a bare JDK server answering a constant ({@link
 * BareHttpServer}), as {@link RestBench} measures them.
 *
 * <p>Arguments: {@code --jar PATH} (instead of scripts/run.sh), {@code --seconds 20}, {@code
 * --warmup 30}, {@code --connections 16}, {@code --concurrency 16} (the worker's slots). Last line:
 * {@code RESULT ...}.
 */
public final class OneBoxBench {
  private OneBoxBench() {}

  /** What one broker's runs measured. */
  record Box(RestBench.Wrk posts, double jobsPerS, double cpuUs, double natsCpuUs,
      RestBench.Wrk paced, double batchJobsPerS, double batchCpuUs, double batchNatsCpuUs,
      RestBench.Reads reads) {}

  public static void main(String[] args) throws Exception {
    String jar = null;
    int seconds = 20;
    int warmup = 30;
    int connections = 16;
    int concurrency = 16;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--jar" -> jar = args[i + 1];
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        case "--connections" -> connections = Integer.parseInt(args[i + 1]);
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown argument " + args[i]);
      }
    }
    Path tmp = Files.createTempDirectory("osapi-one-box-bench");
    Path post = tmp.resolve("post.lua");
    Files.writeString(post, RestBench.POST_LUA);
    Path paced = tmp.resolve("paced.lua");
    Files.writeString(paced, RestBench.pacedLua(RestBench.POST_LUA, RestBench.PACED_RATE));
    System.out.printf(Locale.ROOT, "machine: %d cpus, load average %s; java %s%n",
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim(), System.getProperty("java.version"));
    // what a user runs: scripts/run.sh (its JVM options), or java -jar JAR with the JVM's defaults
    List<String> launcher = jar == null ? List.of("scripts/run.sh") : List.of("java", "-jar", jar);
    System.out.println("launcher: " + String.join(" ", launcher));
    List<String> common = List.of("--concurrency", Integer.toString(concurrency), "--worker-id",
        "one-box");
    // the embedded store holds every job of the run (no expiry within it): room for all of them
    List<String> embedded = new ArrayList<>(common);
    embedded.addAll(List.of("--embedded-max-jobs", "2000000", "--embedded-max-bytes", "4g"));
    // the floor of the reads: a bare JDK server answering a constant, its GETs interleaved with
    // the process's reads (RestBench.reads)
    int barePort = StoreBench.freePort();
    Process bare = RestBench.listening(BareHttpServer.class, Integer.toString(barePort));
    Box e;
    Box n;
    try {
      URI floor = URI.create("http://127.0.0.1:" + barePort + "/health");
      try (StoreBench.Controller c = StoreBench.Controller.start(launcher, embedded)) {
        e = measure("embedded broker", c, null, post, paced, connections, warmup, seconds, floor);
      }
      try (NatsServerProcess nats = NatsServerProcess.start()) {
        List<String> onNats = new ArrayList<>(common);
        onNats.addAll(List.of("--nats", nats.url(), "--nats-max-bytes",
            (StoreBench.NATS_MAX_BYTES >> 30) + "g"));
        try (StoreBench.Controller c = StoreBench.Controller.start(launcher, onNats)) {
          n = measure("NATS", c, nats, post, paced, connections, warmup, seconds, floor);
        }
      }
    } finally {
      bare.destroyForcibly();
    }
    System.out.printf(Locale.ROOT, "RESULT one_box_embedded_jobs_per_s=%.0f"
            + " one_box_embedded_post_p50_ms=%.2f one_box_embedded_post_p99_ms=%.2f"
            + " one_box_embedded_cpu_us_per_job=%.0f one_box_embedded_post_p99_ms_paced=%.2f"
            + " one_box_embedded_paced_posts_per_s=%.0f one_box_embedded_batch_jobs_per_s=%.0f"
            + " one_box_embedded_batch_cpu_us_per_job=%.0f one_box_nats_jobs_per_s=%.0f"
            + " one_box_nats_post_p50_ms=%.2f one_box_nats_post_p99_ms=%.2f"
            + " one_box_nats_cpu_us_per_job=%.0f one_box_nats_server_cpu_us_per_job=%.0f"
            + " one_box_nats_post_p99_ms_paced=%.2f one_box_nats_paced_posts_per_s=%.0f"
            + " one_box_nats_batch_jobs_per_s=%.0f one_box_nats_batch_cpu_us_per_job=%.0f"
            + " one_box_nats_batch_server_cpu_us_per_job=%.0f one_box_embedded_stats_p50_ms=%.3f"
            + " one_box_embedded_list_p50_ms=%.3f one_box_embedded_detail_p50_ms=%.3f"
            + " one_box_embedded_health_p50_ms=%.3f one_box_embedded_floor_get_p50_ms=%.3f"
            + " one_box_nats_stats_p50_ms=%.3f one_box_nats_list_p50_ms=%.3f"
            + " one_box_nats_detail_p50_ms=%.3f one_box_nats_health_p50_ms=%.3f"
            + " one_box_nats_floor_get_p50_ms=%.3f%n",
        e.jobsPerS(), e.posts().p50(), e.posts().p99(), e.cpuUs(), e.paced().p99(),
        e.paced().rps(), e.batchJobsPerS(), e.batchCpuUs(), n.jobsPerS(), n.posts().p50(),
        n.posts().p99(), n.cpuUs(), n.natsCpuUs(), n.paced().p99(), n.paced().rps(),
        n.batchJobsPerS(), n.batchCpuUs(), n.batchNatsCpuUs(), e.reads().stats()[0],
        e.reads().list()[0], e.reads().detail()[0], e.reads().health()[0], e.reads().floor(),
        n.reads().stats()[0], n.reads().list()[0], n.reads().detail()[0], n.reads().health()[0],
        n.reads().floor());
  }

  /**
   * Warm-up, single POSTs to the end of their jobs, the same paced, then batches; {@code nats}
   * null: embedded.
   */
  private static Box measure(String name, StoreBench.Controller c, NatsServerProcess nats,
      Path post, Path paced, int connections, int warmup, int seconds, URI floor)
      throws Exception {
    c.awaitReady(Duration.ofSeconds(60));
    String jobs = "http://127.0.0.1:" + c.apiPort + "/api/v1/jobs";
    System.out.println(name + ": warm-up " + warmup + " s ...");
    RestBench.Wrk warm = RestBench.wrk(post, jobs, connections, warmup);
    refuse(name + " warm-up", warm);
    RestBench.awaitIdle(c, Duration.ofMinutes(3));

    long cpu0 = ProcStat.cpuNanos(c.process.pid());
    long nats0 = nats == null ? 0 : nats.cpuNanos();
    long done0 = RestBench.completed(c);
    long t0 = System.nanoTime();
    RestBench.Wrk run = RestBench.wrk(post, jobs, connections, seconds);
    refuse(name, run);
    RestBench.awaitDone(c, done0 + run.requests(), Duration.ofMinutes(5));
    double e2e = (System.nanoTime() - t0) / 1e9;
    double cpu = (ProcStat.cpuNanos(c.process.pid()) - cpu0) / 1e3 / run.requests();
    double natsCpu = nats == null ? 0 : (nats.cpuNanos() - nats0) / 1e3 / run.requests();
    System.out.printf(Locale.ROOT, "%s, single POSTs: %d in %d s (%.0f/s, p50 %.2f ms, p99 %.2f"
            + " ms), all finished after %.1f s: %.0f jobs/s end to end; the process %.0f us CPU"
            + " per job%s%n", name, run.requests(), seconds, run.rps(), run.p50(), run.p99(), e2e,
        run.requests() / e2e, cpu,
        nats == null ? "" : String.format(Locale.ROOT, ", nats-server %.0f us", natsCpu));

    long done1 = RestBench.completed(c);
    RestBench.Wrk p = RestBench.wrk(paced, jobs, connections, seconds);
    refuse(name + " paced", p);
    RestBench.awaitDone(c, done1 + p.requests(), Duration.ofMinutes(5));
    System.out.printf(Locale.ROOT, "%s, paced (%d POSTs/s offered): %.0f/s, p50 %.2f ms, p99 %.2f"
        + " ms%n", name, RestBench.PACED_RATE, p.rps(), p.p50(), p.p99());

    long bcpu0 = ProcStat.cpuNanos(c.process.pid());
    long bnats0 = nats == null ? 0 : nats.cpuNanos();
    RestBench.Batched b = RestBench.batches(c, seconds);
    double bcpu = (ProcStat.cpuNanos(c.process.pid()) - bcpu0) / 1e3 / b.jobs();
    double bnats = nats == null ? 0 : (nats.cpuNanos() - bnats0) / 1e3 / b.jobs();
    System.out.printf(Locale.ROOT, "%s, batches (1,000 jobs each, 4 clients): %d created in %d s,"
            + " all finished after %.1f s: %.0f jobs/s end to end; the process %.0f us CPU per"
            + " job%s%n", name, b.jobs(), seconds, b.seconds(), b.jobs() / b.seconds(), bcpu,
        nats == null ? "" : String.format(Locale.ROOT, ", nats-server %.0f us", bnats));
    RestBench.Reads reads = RestBench.reads(c, floor);
    return new Box(run, run.requests() / e2e, cpu, natsCpu, p, b.jobs() / b.seconds(), bcpu,
        bnats, reads);
  }

  /** Every POST must have created its job: a refusal (a full store, a 503) voids the run. */
  private static void refuse(String what, RestBench.Wrk run) {
    if (run.non2xx() > 0 || !"none".equals(run.errors())) {
      throw new IllegalStateException(what + ": " + run.non2xx() + " answers not 2xx, socket"
          + " errors: " + run.errors());
    }
  }
}
