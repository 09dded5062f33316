package io.osapi.core.service;

import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * The job index alone, in process, at N jobs (default 1,000,000) of the shape scripts/bench-store.sh
 * loads (four operations, eight workers and a rare one, creation times a millisecond apart, one
 * in 100 failed, one in 1,000 never claimed): its own accounting of the heap per job ({@link
 * JobIndex#blockBytes}), and the median time of a page of 50 of each filter beside the
 * unfiltered first page and a {@code status=failed} page, measured in the same run (ratios).
 * Not a test: {@code java -cp osapi-core/target/classes:osapi-core/target/test-classes
 * io.osapi.core.service.IndexSearchBench [N]} after {@code ./mvnw -B -o -q -pl osapi-core
 * test-compile}.
 */
public final class IndexSearchBench {
  private static final String[] OPERATIONS =
      {"diag.echo", "diag.sleep", "system.hostname.get", "node.disk.get"};

  private IndexSearchBench() {}

  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 1_000_000;
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    long t0 = System.currentTimeMillis() - n;
    Random rnd = new Random(1);
    for (int i = 0; i < n; i++) {
      long ms = t0 + i;
      JobId id = IndexBlock.id((ms << 16) | 0x7000L | rnd.nextInt(0x1000),
          (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L);
      index.recordWritten(id, new JobWatch.RecordFacts(0, OPERATIONS[i % 4], "_any",
          ms * 1_000_000L, ms * 1_000_000L), ms);
      if (i % 1000 != 999) {
        index.runWritten(RunKey.any(id), i % 100 == 7 ? RunState.FAILED : RunState.COMPLETED,
            i % 10_000 == 5 ? "bench-rare" : "bench-w" + (1 + (i / 4) % 8), 0);
      }
    }
    index.caughtUp();
    System.out.printf(Locale.ROOT, "%d jobs: the index's blocks %.1f B per job%n", n,
        index.blockBytes() / (double) n);
    Instant tenth = Instant.ofEpochMilli(t0 + n - n / 10);
    Object[][] cases = {
        {"unfiltered first page", JobFilter.ALL},
        {"status=failed", JobFilter.status(JobStatus.FAILED)},
        {"operation=node.disk.get&status=failed",
            new JobFilter(JobStatus.FAILED, "node.disk.get", null, null, null, null)},
        {"operation=diag.echo&status=failed (none)",
            new JobFilter(JobStatus.FAILED, "diag.echo", null, null, null, null)},
        {"worker=bench-w3", new JobFilter(null, null, null, "bench-w3", null, null)},
        {"worker=bench-rare", new JobFilter(null, null, null, "bench-rare", null, null)},
        {"created_after (newest 10%)", new JobFilter(null, null, null, null, tenth, null)},
        {"worker+operation+created_after",
            new JobFilter(null, "diag.sleep", null, "bench-w5", tenth, null)},
    };
    double base = 0;
    for (int round = 0; round < 2; round++) { // the first round warms the JIT
      for (Object[] c : cases) {
        JobFilter f = (JobFilter) c[1];
        double[] ms = new double[51];
        long total = 0;
        for (int k = 0; k < ms.length; k++) {
          long t = System.nanoTime();
          total = index.search(f, 50, 0, null).total();
          ms[k] = (System.nanoTime() - t) / 1e6;
        }
        java.util.Arrays.sort(ms);
        double p50 = ms[ms.length / 2];
        if (c[1] == JobFilter.ALL) {
          base = p50;
        }
        if (round == 1) {
          System.out.printf(Locale.ROOT, "%-42s total %7d  p50 %6.3f ms%s%n", c[0], total, p50,
              c[1] == JobFilter.ALL ? "" : String.format(Locale.ROOT, "  (%.0fx the first page)",
                  p50 / base));
        }
      }
    }
  }
}
