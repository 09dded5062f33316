package io.osapi.bench;

import io.osapi.core.domain.JobId;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * The search part of {@link StoreBench}: how the loaded jobs vary (four operation types, eight
 * workers and a rare one, creation times a millisecond apart), and the p50 of the filtered pages
 * over them, each a pass over the controller's job index (issue 28: a filtered page within the
 * list target, 10 ms; the index at most {@value #INDEX_BYTES_PER_JOB} bytes per job).
 *
 * <p>Job {@code i} has operation {@code OPERATIONS[i % 4]}, ran on {@code bench-w(1 + (i / 4) %
 * 8)} (every 10,000th on {@code bench-rare} instead), and was created {@code n - i} ms before the
 * load started. The failed jobs ({@code i % 100 == 7}) are all {@code node.disk.get}.
 */
final class StoreBenchFilters {
  /** The target for the index's heap per job. */
  static final double INDEX_BYTES_PER_JOB = 64;

  private static final String[] OPERATIONS =
      {"diag.echo", "diag.sleep", "system.hostname.get", "node.disk.get"};

  private StoreBenchFilters() {}

  static String operation(int i) {
    return OPERATIONS[i % OPERATIONS.length];
  }

  static String worker(int i) {
    return i % 10_000 == 5 ? "bench-rare" : "bench-w" + (1 + (i / 4) % 8);
  }

  static Instant created(Instant start, int n, int i) {
    return start.minusMillis(n - i);
  }

  /**
   * p50s in ms of filtered pages of 50, each beside nothing else (sequential requests).
   *
   * @param opStatus {@code operation=node.disk.get&status=failed} (every failed job: 1 in 100)
   * @param opStatusNone {@code operation=diag.echo&status=failed}: none match, the whole pass
   * @param worker {@code worker=bench-w3} (1 in 8)
   * @param workerRare {@code worker=bench-rare} (1 in 10,000: the page needs most of the pass)
   * @param createdAfter {@code created_after=} the newest 10%
   * @param combined worker, operation and created_after with {@code after=} a random job
   */
  record Result(double opStatus, double opStatusNone, double worker, double workerRare,
      double createdAfter, double combined) {
    double worst() {
      return Math.max(Math.max(Math.max(opStatus, opStatusNone), Math.max(worker, workerRare)),
          Math.max(createdAfter, combined));
    }

    String fields() {
      return String.format(Locale.ROOT, "list_op_status_p50_ms=%.2f list_op_status_none_p50_ms=%.2f"
          + " list_worker_p50_ms=%.2f list_worker_rare_p50_ms=%.2f"
          + " list_created_after_p50_ms=%.2f list_combined_cursor_p50_ms=%.2f",
          opStatus, opStatusNone, worker, workerRare, createdAfter, combined);
    }
  }

  /**
   * Measures the filtered pages.
   *
   * @param start the load's start: job {@code i} was created {@code jobs - i} ms before it
   */
  static Result measure(StoreBench.Controller c, int samples, int jobs, List<JobId> ids,
      Instant start) throws Exception {
    String after = created(start, jobs, jobs - jobs / 10).toString(); // the newest 10%
    Random rnd = new Random(11);
    for (int i = 0; i < 50; i++) { // the JIT compiles the pass
      c.get("/api/v1/jobs?limit=50&worker=bench-w" + (1 + i % 8) + "&operation=" + operation(i));
    }
    Result r = new Result(
        c.p50(samples, i -> "/api/v1/jobs?operation=node.disk.get&status=failed&limit=50"),
        c.p50(samples, i -> "/api/v1/jobs?operation=diag.echo&status=failed&limit=50"),
        c.p50(samples, i -> "/api/v1/jobs?worker=bench-w3&limit=50"),
        c.p50(samples, i -> "/api/v1/jobs?worker=bench-rare&limit=50"),
        c.p50(samples, i -> "/api/v1/jobs?created_after=" + after + "&limit=50"),
        c.p50(samples, i -> "/api/v1/jobs?worker=bench-w5&operation=diag.sleep&created_after="
            + created(start, jobs, 0) + "&limit=50&after="
            + ids.get(rnd.nextInt(ids.size())).value()));
    String totals = String.format(Locale.ROOT, "filtered totals: op+status %s, worker %s,"
        + " rare worker %s, created_after %s",
        total(c, "operation=node.disk.get&status=failed"), total(c, "worker=bench-w3"),
        total(c, "worker=bench-rare"), total(c, "created_after=" + after));
    System.out.println(totals);
    return r;
  }

  private static String total(StoreBench.Controller c, String query) throws Exception {
    String body = c.get("/api/v1/jobs?limit=1&" + query);
    int at = body.indexOf("\"total\":");
    if (at < 0) {
      return "?";
    }
    int end = at + 8;
    while (end < body.length() && Character.isDigit(body.charAt(end))) {
      end++;
    }
    return body.substring(at + 8, end);
  }
}
