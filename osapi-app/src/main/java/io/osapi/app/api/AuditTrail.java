package io.osapi.app.api;

import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.port.AccessMetrics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The edge's side of the audit trail: stores a request's pending record before the handler runs
 * (and refuses the request when it cannot: nothing changes without its record), then its final
 * record (status, duration) before the answer goes out.
 *
 * <p>An append that fails is tried again (the log stores a record once per id and phase) until the
 * request's patience runs out: the create patience for a create, so a create held through a NATS
 * fail-over is not refused for its record alone, {@link #FINAL_PATIENCE} for a final record. A
 * final record that missed its answer is tried again in the background for {@link
 * #LATE_PATIENCE}: its pending record says "outcome unknown" only while the store stays away.
 */
public final class AuditTrail {
  private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());

  /** How long a final record is tried before the answer goes out without it. */
  static final Duration FINAL_PATIENCE = Duration.ofSeconds(5);

  private static final long RETRY_PAUSE_MS = 200;

  /** How long a final record that missed its answer is tried again in the background. */
  static final Duration LATE_PATIENCE = Duration.ofMinutes(2);

  private static final Duration LATE_PAUSE = Duration.ofSeconds(1);

  /** The one thread of the late final records (shared: they are rare). */
  private static final java.util.concurrent.ScheduledExecutorService LATE =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          io.osapi.core.concurrent.DaemonThreads.single("osapi-audit-late"));

  private final AuditLog log;
  private final AccessMetrics metrics;
  private final Duration patience;
  private final boolean reads;

  /**
   * @param log where records are kept
   * @param metrics {@code osapi_audit_records_total} and {@code osapi_audit_write_failures_total}
   * @param patience how long a pending record is tried before its request is refused
   * @param reads whether reads are audited too ({@code --audit-reads})
   */
  public AuditTrail(AuditLog log, AccessMetrics metrics, Duration patience, boolean reads) {
    this.log = Objects.requireNonNull(log, "log");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.patience = Objects.requireNonNull(patience, "patience");
    this.reads = reads;
  }

  /** Whether reads are audited. */
  public boolean auditsReads() {
    return reads;
  }

  /** The log (for the audit endpoints). */
  AuditLog log() {
    return log;
  }

  /**
   * Stores the pending record of a request that is about to run.
   *
   * @return false when it could not be stored within the patience: the request must not run
   * @throws StoreFullException at once when the store has no room for it (the NATS server's
   *     storage full): the request must not run, and the answer names the cause
   */
  boolean begin(AuditRecord pending) {
    boolean stored;
    try {
      stored = store(pending, patience);
    } catch (StoreFullException e) {
      metrics.auditWriteFailed();
      LOG.log(Level.WARNING, "request {0} {1} by {2} refused: {3}", pending.method(),
          pending.route(), pending.subject(), e.getMessage());
      throw e;
    }
    if (stored) {
      return true;
    }
    metrics.auditWriteFailed();
    LOG.log(Level.WARNING, "request {0} {1} by {2} refused: its audit record cannot be stored",
        pending.method(), pending.route(), pending.subject());
    return false;
  }

  /** Stores the final record of a request that ran; a failure leaves the pending one. */
  void finish(AuditRecord done) {
    boolean stored;
    try {
      stored = store(done, FINAL_PATIENCE);
    } catch (StoreFullException e) {
      stored = false;
    }
    if (stored) {
      metrics.auditRecorded();
      return;
    }
    metrics.auditWriteFailed();
    LOG.log(Level.WARNING, "the outcome {0} of request {1} ({2} {3} by {4}) could not be"
        + " recorded before the answer: its audit record stays pending while it is tried again for"
        + " {5} s", done.status(), done.id(), done.method(), done.route(), done.subject(),
        LATE_PATIENCE.toSeconds());
    later(done, System.nanoTime() + LATE_PATIENCE.toNanos());
  }

  /**
   * Tries a final record again in the background (the answer went out without it): every {@link
   * #LATE_PAUSE} until {@code end}, so an outage longer than {@link #FINAL_PATIENCE} leaves no
   * record pending once the store is back.
   */
  private void later(AuditRecord done, long end) {
    LATE.schedule(() -> {
      log.append(done).whenComplete((ok, err) -> {
        if (err == null) {
          metrics.auditRecorded();
          LOG.log(Level.INFO, "the outcome of request {0} is recorded after all", done.id());
        } else if (System.nanoTime() < end) {
          later(done, end);
        } else {
          LOG.log(Level.WARNING, "the outcome {0} of request {1} ({2} {3} by {4}) could not be"
              + " recorded: its audit record stays pending", done.status(), done.id(),
              done.method(), done.route(), done.subject());
        }
      });
    }, LATE_PAUSE.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Stores the pending records of the items of a batch, all appended at once (pipelined), each
   * tried again like {@link #begin}'s within the patience.
   *
   * @return per record, in order: whether it is stored (an item whose record is not must not run)
   */
  boolean[] beginAll(java.util.List<AuditRecord> pending) {
    boolean[] stored = appendAll(pending, patience);
    for (boolean ok : stored) {
      if (!ok) {
        metrics.auditWriteFailed();
      }
    }
    return stored;
  }

  /**
   * Stores the final records of the items of a batch, all appended at once; one that cannot be
   * stored within {@link #FINAL_PATIENCE} is tried again in the background, as {@link #finish}'s.
   */
  void finishAll(java.util.List<AuditRecord> done) {
    boolean[] stored = appendAll(done, FINAL_PATIENCE);
    for (int i = 0; i < stored.length; i++) {
      if (stored[i]) {
        metrics.auditRecorded();
      } else {
        metrics.auditWriteFailed();
        later(done.get(i), System.nanoTime() + LATE_PATIENCE.toNanos());
      }
    }
  }

  private boolean[] appendAll(java.util.List<AuditRecord> records, Duration within) {
    long end = System.nanoTime() + within.toNanos();
    java.util.List<java.util.concurrent.CompletableFuture<Void>> sent =
        new java.util.ArrayList<>(records.size());
    for (AuditRecord r : records) {
      sent.add(log.append(r));
    }
    boolean[] stored = new boolean[records.size()];
    for (int i = 0; i < stored.length; i++) {
      try {
        sent.get(i).get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        stored[i] = true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return stored;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        // one at a time, within what is left of the patience (the log keeps one per id and phase)
        try {
          stored[i] = store(records.get(i), Duration.ofNanos(Math.max(0, end - System.nanoTime())));
        } catch (StoreFullException full) {
          stored[i] = false;
        }
      }
    }
    return stored;
  }

  /** Stores the record of a request refused at the edge (403): once, without waiting long. */
  void refused(AuditRecord done) {
    finish(done);
  }

  private boolean store(AuditRecord r, Duration within) {
    long end = System.nanoTime() + within.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      try {
        log.append(r).get(Math.max(left, TimeUnit.MILLISECONDS.toNanos(RETRY_PAUSE_MS)),
            TimeUnit.NANOSECONDS);
        return true;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      } catch (ExecutionException | TimeoutException | RuntimeException e) {
        Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof StoreFullException full) {
          throw full; // definite: no room, trying again within a request will not make any
        }
        LOG.log(Level.DEBUG, "audit append of {0} failed: {1}", r.id(), String.valueOf(cause));
      }
      if (end - System.nanoTime() <= RETRY_PAUSE_MS * 1_000_000L) {
        return false;
      }
      try {
        Thread.sleep(RETRY_PAUSE_MS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }
}
