package io.osapi.app.cli;

import io.osapi.app.api.ApiModel;
import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.api.ApiModel.WorkerStateBody;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The per-worker part of a job as the client commands print it: a table of the workers (state,
 * duration, error) and, for a broadcast job, a summary line of its expected workers.
 */
final class WorkerResults {
  private WorkerResults() {}

  /** True for a job sent to expected workers ({@code _all}, a worker id, a label). */
  static boolean broadcast(JobDetail d) {
    return d.target() != null && !d.target().equals("_any");
  }

  /** True for a run state that does not change any more. */
  static boolean terminal(String state) {
    return "completed".equals(state) || "failed".equals(state) || "cancelled".equals(state)
        || "skipped".equals(state);
  }

  /** {@code text} on one line: control characters (newlines, escapes) become spaces. */
  static String oneLine(String text) {
    return text.replaceAll("\\p{Cntrl}", " ");
  }

  /** {@code 0.012s}, or null. */
  static String duration(WorkerStateBody s) {
    return s.durationSeconds() == null ? null
        : String.format(Locale.ROOT, "%.3fs", s.durationSeconds());
  }

  /** Prints the workers table, and the summary line of a broadcast job. */
  static void print(JobDetail d, PrintWriter out) {
    if (d.workers() == null || d.workers().isEmpty()) {
      return;
    }
    Map<String, String> verified = new TreeMap<>();
    if (d.results() != null) {
      d.results().forEach(r -> verified.put(r.worker(), verified(r.verified(),
          r.unverifiedReason())));
    }
    Table t = new Table("WORKER", "STATE", "DURATION", "ERROR", "VERIFIED");
    d.workers().forEach((w, s) -> t.row(w, s.state(), duration(s), s.error(),
        terminal(s.state()) ? verified.get(w) : null));
    t.print(out);
    if (broadcast(d)) {
      out.println(summary(d));
    }
    if (rollout(d) != null) {
      out.println(rollout(d));
    }
  }

  /**
   * {@code rollout: batch 2, 3 of 5 released, 1 running, 2 done (0 failed), 0 skipped}, and why it
   * stopped; null for a job without a rollout.
   */
  static String rollout(JobDetail d) {
    ApiModel.RolloutBody r = d.rollout();
    if (r == null) {
      return null;
    }
    return "rollout: batch " + r.batchSize() + (r.pauseSeconds() > 0 ? ", pause "
        + r.pauseSeconds() + "s" : "") + ", max failures " + r.maxFailures() + "; "
        + r.released() + " of " + r.expected() + " released, " + r.running() + " running, "
        + r.done() + " done (" + r.failed() + " failed), " + r.skipped() + " skipped"
        + (r.stopped() == null ? "" : "; " + oneLine(r.stopped()));
  }

  /**
   * {@code yes}, or {@code NO (reason)} for an end that is not the signed answer of its worker,
   * or null when not checked.
   */
  static String verified(Boolean verified, String reason) {
    if (verified == null) {
      return null;
    }
    return verified ? "yes" : "NO (" + oneLine(String.valueOf(reason)) + ")";
  }

  /** {@code 3 expected workers: 2 completed, 1 failed}. */
  static String summary(JobDetail d) {
    Map<String, Integer> by = new TreeMap<>((a, b) -> rank(a) - rank(b));
    d.workers().values().forEach(s -> by.merge(s.state(), 1, Integer::sum));
    StringBuilder sb = new StringBuilder();
    int n = d.workers().size();
    sb.append(n).append(n == 1 ? " expected worker: " : " expected workers: ");
    boolean first = true;
    for (Map.Entry<String, Integer> e : by.entrySet()) {
      sb.append(first ? "" : ", ").append(e.getValue()).append(' ').append(e.getKey());
      first = false;
    }
    return sb.toString();
  }

  private static int rank(String state) {
    return switch (state) {
      case "completed" -> 0;
      case "failed" -> 1;
      case "running" -> 2;
      case "released" -> 3;
      case "pending" -> 4;
      default -> 5 + Math.abs(state.hashCode() % 1000);
    };
  }
}
