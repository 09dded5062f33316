package io.osapi.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The end-to-end floor of the design by variant (scripts/bench-e2e-floor.sh, issue 29): for each
 * variant a fresh nats-server, a {@link BareCreateServer} (the create's NATS writes, no osapi code)
 * and two {@link BareWorker}s (8 runs each: the run's claim and end, no osapi code) under {@code
 * wrk} (16 connections): a warm-up until its jobs are all ended, then a fixed time and the wait
 * until every job created is ended. Prints per variant jobs/s end to end (first POST to last run
 * ended) and the CPU per job of the server, the workers, nats-server and {@code wrk} itself.
 *
 * <p>Arguments: {@code --seconds N}, {@code --warmup N}, then variants as {@code WRITES/WITHOUT}
 * (WRITES: {@link BareCreateServer}'s comma list; WITHOUT: {@link BareWorker}'s, may be empty).
 */
public final class E2eFloorBench {
  private E2eFloorBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = 12;
    int warmup = 8;
    int rate = RestBench.PACED_RATE;
    List<String> variants = new java.util.ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--warmup" -> warmup = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Integer.parseInt(args[++i]);
        default -> variants.add(args[i]);
      }
    }
    if (variants.isEmpty()) {
      variants = List.of("pending,record,notification,final/",
          "pending,record,notification,final/nosign",
          "pending,record,notification,final/nosign,inline", "record,notification/",
          "record,notification/nosign,inline", "record/fromrecords",
          "pending,record,final/fromrecords");
    }
    for (String v : variants) { // all of them before any runs
      String[] parts = v.split("/", -1);
      check(v, parts[0], parts.length > 1 ? parts[1] : "");
    }
    Path post = Files.createTempFile("e2e-floor", ".lua");
    Files.writeString(post, RestBench.POST_LUA);
    Path paced = Files.createTempFile("e2e-floor-paced", ".lua");
    Files.writeString(paced, RestBench.pacedLua(RestBench.POST_LUA, rate));
    System.out.printf(Locale.ROOT, "machine: %d cpus, load average %s%n",
        Runtime.getRuntime().availableProcessors(),
        Files.readString(Path.of("/proc/loadavg")).trim());
    for (String v : variants) {
      try (NatsServerProcess nats = NatsServerProcess.start()) { // a fresh store for each
        String[] parts = v.split("/", -1);
        String writes = parts[0];
        String without = parts.length > 1 ? parts[1] : "";
        int port = StoreBench.freePort();
        Process server = RestBench.listening(BareCreateServer.class, Integer.toString(port),
            nats.url(), writes);
        String url = "http://127.0.0.1:" + port + "/api/v1/jobs";
        try (BareFleet fleet = BareFleet.start(nats.url(), 2, 8, without)) {
          E2e e = measure(paced, url, server, fleet, nats, 16, warmup, seconds);
          System.out.printf(Locale.ROOT, "RESULT writes=%s without=%s offered=%d jobs_per_s=%.0f"
                  + " post_p99_ms=%.2f server_cpu_us_per_job=%.0f worker_cpu_us_per_run=%.0f"
                  + " nats_cpu_us_per_job=%.0f wrk_cpu_us_per_job=%.0f total_cpu_us_per_job=%.0f"
                  + " ceiling_jobs_per_s=%.0f%n", writes, without.isEmpty() ? "-" : without, rate,
              e.jobsPerS(), e.run().p99(), e.cpu().server(), e.cpu().workers(), e.cpu().nats(),
              e.cpu().wrk(), e.cpu().total(), e.cpu().ceiling(RestBench.CPUS));
        } finally {
          server.destroyForcibly();
          server.waitFor();
        }
      }
    }
  }

  private static final java.util.Set<String> WRITES =
      java.util.Set.of("pending", "record", "notification", "final");
  private static final java.util.Set<String> WITHOUT =
      java.util.Set.of("", "nosign", "inline", "fromrecords");

  /** Refuses a variant naming what the bare processes do not know, or a contradiction. */
  static void check(String variant, String writes, String without) {
    java.util.List<String> w = java.util.Arrays.asList(writes.split(","));
    java.util.List<String> o = java.util.Arrays.asList(without.split(","));
    String problem = null;
    if (!WRITES.containsAll(w)) {
      problem = "writes are a comma list of " + WRITES;
    } else if (!WITHOUT.containsAll(o)) {
      problem = "what the workers leave out is a comma list of nosign, inline, fromrecords";
    } else if (!w.contains("record")) {
      problem = "every variant writes the record";
    } else if (o.contains("fromrecords") == w.contains("notification")) {
      problem = "the workers take jobs from the notifications or, with fromrecords, from the"
          + " records: one of the two";
    }
    if (problem != null) {
      throw new IllegalArgumentException("variant " + variant + ": " + problem
          + " (e.g. pending,record,notification,final/nosign)");
    }
  }

  /** The end-to-end run of a variant: its rate, what wrk measured and the CPU per job. */
  record E2e(RestBench.Wrk run, double jobsPerS, RestBench.PerJob cpu) {}

  /**
   * Drives {@code server} with {@code script} (a warm-up, then {@code seconds}) while {@code
   * fleet} runs its jobs; jobs/s from the first POST to the last run ended.
   */
  static E2e measure(Path script, String url, Process server, BareFleet fleet,
      NatsServerProcess nats, int connections, int warmup, int seconds) throws Exception {
    RestBench.Wrk warm = RestBench.wrk(script, url, connections, warmup);
    fleet.awaitEnded(warm.requests() - warm.non2xx(), Duration.ofMinutes(3));
    long e0 = fleet.ended();
    long s0 = ProcStat.cpuNanos(server.pid());
    long w0 = fleet.cpuNanos();
    long n0 = nats.cpuNanos();
    long k0 = ProcStat.childrenCpuNanos();
    long t0 = System.nanoTime();
    RestBench.Wrk run = RestBench.wrk(script, url, connections, seconds);
    long load = ProcStat.childrenCpuNanos() - k0;
    long created = run.requests() - run.non2xx();
    fleet.awaitEnded(e0 + created, Duration.ofMinutes(5));
    double secs = (System.nanoTime() - t0) / 1e9;
    return new E2e(run, created / secs, new RestBench.PerJob(
        (ProcStat.cpuNanos(server.pid()) - s0) / 1e3 / created,
        (fleet.cpuNanos() - w0) / 1e3 / created, (nats.cpuNanos() - n0) / 1e3 / created,
        load / 1e3 / created));
  }
}
