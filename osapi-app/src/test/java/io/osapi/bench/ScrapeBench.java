package io.osapi.bench;

import io.osapi.adapter.otel.OtelJobMetrics;
import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.app.http.MetricsHttpServer;
import io.osapi.app.http.Readiness;
import io.osapi.core.domain.JobOutcome;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;

/**
 * Scrape benchmark of {@code scripts/bench-scrape.sh}: {@code /metrics} of a real {@link
 * MetricsHttpServer} with 10,000 series (per-worker counters for 10,000 worker ids, cardinality
 * limit raised), scraped 50 times over loopback with gzip, after 10 warm-up scrapes. Prints the
 * median and p90 scrape time, the gzip and plain sizes, and the heap per series (used heap after
 * GC with the series, minus before, over the series count). Last line {@code RESULT
 * scrape_median_ms=... heap_bytes_per_series=...}.
 */
public final class ScrapeBench {
  private ScrapeBench() {}

  /** Entry point: optional {@code --series N --scrapes N --warmup N} (10,000, 50, 100). */
  public static void main(String[] args) throws Exception {
    int series = 10_000;
    int scrapes = 50;
    int warmup = 100;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--series" -> series = Integer.parseInt(args[i + 1]);
        case "--scrapes" -> scrapes = Integer.parseInt(args[i + 1]);
        case "--warmup" -> warmup = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    io.osapi.app.http.HttpLimits.apply(); // as Main does at process start
    try (OtelMetricsBackend backend = new OtelMetricsBackend(OtelMetricsConfig.builder()
        .cardinalityLimit(series + 100).maxWorkerSeries(series).build())) {
      OtelJobMetrics metrics = backend.jobMetrics(Set.of("diag.echo"));
      backend.healthMetrics().componentUp(true);
      backend.scrape(null); // everything but our series in place
      long before = usedHeapAfterGc();
      for (int w = 0; w < series; w++) {
        String id = "worker-" + w;
        metrics.workerConnected(id, 1);
        metrics.jobStarted("diag.echo", Duration.ofMillis(1));
        metrics.jobReturned("diag.echo");
        metrics.jobFinished("diag.echo", id, JobOutcome.COMPLETED, Duration.ofMillis(2));
      }
      backend.scrape(null);
      long after = usedHeapAfterGc();
      try (MetricsHttpServer server = MetricsHttpServer.builder(backend.prometheusRegistry()).port(0)
          .readiness(Readiness::up).start()) {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest req = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
            .header("Accept-Encoding", "gzip").GET().build();
        HttpRequest plain = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/metrics")).GET().build();
        int gzipBytes = 0;
        for (int i = 0; i < warmup; i++) { // a running server has been scraped before
          gzipBytes = http.send(req, HttpResponse.BodyHandlers.ofByteArray()).body().length;
        }
        String text = http.send(plain, HttpResponse.BodyHandlers.ofString()).body();
        long lines = text.lines().filter(l -> l.startsWith("osapi_worker_jobs_processed_total{"))
            .count();
        double[] ms = new double[scrapes];
        for (int i = 0; i < scrapes; i++) {
          long t0 = System.nanoTime();
          HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
          ms[i] = (System.nanoTime() - t0) / 1e6;
          if (r.statusCode() != 200) {
            throw new IllegalStateException("scrape answered " + r.statusCode());
          }
        }
        Arrays.sort(ms);
        double median = (ms[scrapes / 2] + ms[(scrapes - 1) / 2]) / 2;
        // where the time goes: rendering in process (collect + text), then gzip of that body
        double[] render = new double[scrapes];
        double[] zip = new double[scrapes];
        for (int i = 0; i < scrapes; i++) {
          long t0 = System.nanoTime();
          byte[] body = backend.scrape(null).body();
          long t1 = System.nanoTime();
          java.io.ByteArrayOutputStream bo = new java.io.ByteArrayOutputStream(body.length / 4);
          try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(bo, 8192) {
                {
                  def.setLevel(java.util.zip.Deflater.DEFAULT_COMPRESSION); // as client_java's handler
                }
              }) {
            gz.write(body);
          }
          render[i] = (t1 - t0) / 1e6;
          zip[i] = (System.nanoTime() - t1) / 1e6;
        }
        Arrays.sort(render);
        Arrays.sort(zip);
        System.out.printf(Locale.ROOT, "of which, in process: render median %.2f ms, gzip median"
            + " %.2f ms%n", render[scrapes / 2], zip[scrapes / 2]);
        double perSeries = (after - before) / (double) series;
        System.out.printf(Locale.ROOT,
            "series: %d worker series exported (%d lines of osapi_worker_jobs_processed_total)%n",
            series, lines);
        System.out.printf(Locale.ROOT, "body: %d KiB plain, %d KiB gzip%n",
            text.length() >> 10, gzipBytes >> 10);
        System.out.printf(Locale.ROOT, "scrape over loopback with gzip, %d scrapes:"
            + " median %.2f ms, p90 %.2f ms, max %.2f ms%n", scrapes, median,
            ms[(int) Math.ceil(0.9 * scrapes) - 1], ms[scrapes - 1]);
        System.out.printf(Locale.ROOT, "heap: %.0f bytes per series (%d KiB for %d series)%n",
            perSeries, (after - before) >> 10, series);
        System.out.printf(Locale.ROOT, "RESULT scrape_median_ms=%.2f heap_bytes_per_series=%.0f"
            + " series=%d%n", median, perSeries, series);
      }
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long best = Long.MAX_VALUE;
    for (int i = 0; i < 5; i++) {
      System.gc();
      Thread.sleep(100);
      best = Math.min(best, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return best;
  }
}
