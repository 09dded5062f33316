package io.osapi.app.api;

import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.port.AccessMetrics;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The edge's side of the audit trail: stores a request's pending record before the request changes
 * anything (and refuses the request when it cannot: nothing changes without its record), then
 * appends its final record (status, duration) as the answer goes out, without waiting for it.
 *
 * <p>A pending append that fails is tried again (the log stores a record once per id and phase)
 * until the request's patience runs out: the create patience for a create, so a create held
 * through a NATS fail-over is not refused for its record alone. A final record is tried within
 * {@link #FINAL_PATIENCE}, then again in the background for {@link #LATE_PATIENCE}: its pending
 * record says "outcome unknown" only while the store stays away.
 */
public final class AuditTrail {
  private static final System.Logger LOG = System.getLogger(AuditTrail.class.getName());

  /** How long a final record's first append may take before it is tried again in the background. */
  static final Duration FINAL_PATIENCE = Duration.ofSeconds(5);

  private static final long RETRY_PAUSE_MS = 200;

  /** How long a final record that missed its answer is tried again in the background. */
  static final Duration LATE_PATIENCE = Duration.ofMinutes(2);

  private static final Duration LATE_PAUSE = Duration.ofSeconds(1);

  /** The one thread of the late final records (shared: they are rare). */
  private static final java.util.concurrent.ScheduledExecutorService LATE =
      java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
          io.osapi.core.concurrent.DaemonThreads.single("osapi-audit-late"));

  /** This process's random half of every id it gives (one {@link java.security.SecureRandom} read). */
  private static final long ID_PREFIX = new java.security.SecureRandom().nextLong();

  private static final java.util.concurrent.atomic.AtomicLong ID_COUNTER =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

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

  /**
   * A new record or request id: 32 hex digits, this process's random half and a counter, so ids
   * never repeat within a process and differ between processes (a UUID's 122 random bits cost a
   * read of the system's random source for each, under a lock).
   */
  static String newId() {
    return hex16(ID_PREFIX) + hex16(ID_COUNTER.incrementAndGet());
  }

  private static String hex16(long v) {
    String h = Long.toHexString(v);
    return h.length() == 16 ? h : "0".repeat(16 - h.length()) + h;
  }

  /** How long a pending record is tried before its request is refused. */
  Duration patience() {
    return patience;
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
    try {
      beginAsync(pending).get(patience.toNanos() + TimeUnit.SECONDS.toNanos(30),
          TimeUnit.NANOSECONDS);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StoreFullException full) {
        throw full;
      }
      return false;
    } catch (TimeoutException e) {
      return false;
    }
  }

  /**
   * Stores the pending record of a request that is about to run, without waiting: appended now,
   * tried again within the patience. The request runs only once the future has completed, and
   * not at all when it fails ({@link StoreFullException} at once when the store has no room;
   * {@link Unrecorded} when the patience ran out).
   */
  CompletableFuture<Void> beginAsync(AuditRecord pending) {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    attempt(pending, System.nanoTime() + patience.toNanos(), stored);
    return stored.whenComplete((v, e) -> {
      if (e == null) {
        return;
      }
      metrics.auditWriteFailed();
      LOG.log(Level.WARNING, "request {0} {1} by {2} refused: {3}", pending.method(),
          pending.route(), pending.subject(), e instanceof StoreFullException
              ? e.getMessage() : "its audit record cannot be stored");
    });
  }

  /** One append of a pending record, and the next one after a pause while time is left. */
  private void attempt(AuditRecord r, long end, CompletableFuture<Void> stored) {
    long left = end - System.nanoTime();
    CompletableFuture<Void> sent;
    try {
      sent = log.append(r).orTimeout(Math.max(left, TimeUnit.MILLISECONDS.toNanos(
          RETRY_PAUSE_MS)), TimeUnit.NANOSECONDS);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, err) -> {
      if (err == null) {
        stored.complete(null);
        return;
      }
      Throwable cause = err instanceof java.util.concurrent.CompletionException
          && err.getCause() != null ? err.getCause() : err;
      if (cause instanceof StoreFullException) {
        stored.completeExceptionally(cause); // definite: trying again will not make room
        return;
      }
      LOG.log(Level.DEBUG, "audit append of {0} failed: {1}", r.id(), String.valueOf(cause));
      if (end - System.nanoTime() <= RETRY_PAUSE_MS * 1_000_000L) {
        stored.completeExceptionally(new Unrecorded());
        return;
      }
      LATE.schedule(() -> attempt(r, end, stored), RETRY_PAUSE_MS, TimeUnit.MILLISECONDS);
    });
  }

  /** A pending record that could not be stored within the patience: nothing was run. */
  static final class Unrecorded extends RuntimeException {
    Unrecorded() {
      super("the audit trail is unavailable (it cannot record this request now), so nothing was"
          + " done; try again later", null, false, false);
    }

    /** The answer: 503 with {@code Retry-After}. */
    ApiException answer() {
      return new ApiException(503, getMessage(), Map.of(), Map.of("Retry-After", "5"));
    }
  }

  /**
   * Stores the final record of a request that ran, without waiting for it: the answer goes out
   * while it is appended; one that fails is tried again in the background for {@link
   * #LATE_PATIENCE} (until then its pending record says "outcome unknown").
   */
  void finish(AuditRecord done) {
    CompletableFuture<Void> sent;
    try {
      sent = log.append(done).orTimeout(FINAL_PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    sent.whenComplete((ok, err) -> {
      if (err == null) {
        metrics.auditRecorded();
        return;
      }
      metrics.auditWriteFailed();
      LOG.log(Level.WARNING, "the outcome {0} of request {1} ({2} {3} by {4}) could not be"
          + " recorded: its audit record stays pending while it is tried again for {5} s",
          done.status(), done.id(), done.method(), done.route(), done.subject(),
          LATE_PATIENCE.toSeconds());
      later(done, System.nanoTime() + LATE_PATIENCE.toNanos());
    });
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
