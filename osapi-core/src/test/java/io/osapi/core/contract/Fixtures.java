package io.osapi.core.contract;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import io.osapi.core.port.JobStore;
import io.osapi.core.service.JobIndex;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** Shared helpers for the contract tests. Every job they make has a new id. */
public final class Fixtures {
  private Fixtures() {}

  /** A new {@code diag.echo} query job for {@code target}, created now (millisecond precision). */
  public static Job job(String target) {
    return job(target, OperationKind.QUERY);
  }

  /** A new {@code diag.echo} job of {@code kind} for {@code target}. */
  public static Job job(String target, OperationKind kind) {
    return job(target, kind, "{\"n\":1}");
  }

  /** A new {@code diag.echo} job of {@code kind} for {@code target} with {@code data}. */
  public static Job job(String target, OperationKind kind, String data) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Job(
        JobId.generate(Clock.systemUTC()),
        new Operation("diag.echo", data),
        kind,
        Target.parse(target),
        now);
  }

  /** The record of a new {@code _any} job, as the job client stores it at submit. */
  public static JobRecord anyRecord() {
    return JobRecord.submitted(job("_any"), List.of());
  }

  /** The record of a new broadcast job for {@code target} that expects {@code workers}. */
  public static JobRecord broadcastRecord(String target, String... workers) {
    return JobRecord.submitted(job(target), List.of(workers));
  }

  /** The notification of {@code job}, expecting {@code expected} workers (none for {@code _any}). */
  public static JobNotification notification(Job job, String... expected) {
    return new JobNotification(job, List.of(expected));
  }

  /** Waits up to 10 s for {@code future}, unwrapping its failure. */
  public static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new CompletionException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("no answer within 10 s", e);
    }
  }

  /**
   * The failure of {@code future}, or of the call making it (stores may throw instead of failing
   * the future), unwrapped; null when it succeeded.
   */
  public static Throwable failure(Supplier<? extends CompletableFuture<?>> call) {
    try {
      await(call.get());
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes. */
  public static boolean eventually(Duration timeout, BooleanSupplier condition) {
    try {
      Awaitility.await().atMost(timeout).pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(20)).until(condition::getAsBoolean);
      return true;
    } catch (ConditionTimeoutException e) {
      return condition.getAsBoolean();
    }
  }

  /**
   * Every job of {@code store} with its status, newest first, as a job index sees it after its
   * replay (the listings' view; for tests, it pages through everything).
   */
  public static Map<JobId, JobStatus> statuses(JobStore store) {
    try (JobIndex index = caughtUpIndex(store)) {
      Map<JobId, JobStatus> out = new LinkedHashMap<>();
      JobId after = null;
      while (true) {
        JobIndex.Slice slice = index.page(null, 1000, 0, after);
        slice.items().forEach(i -> out.put(i.id(), i.status()));
        if (!slice.more()) {
          return out;
        }
        after = slice.ids().get(slice.ids().size() - 1);
      }
    }
  }

  /** A new index watching {@code store}, once its replay is done (at most 30 s). */
  public static JobIndex caughtUpIndex(JobStore store) {
    JobIndex index = JobIndex.of(store, Clock.systemUTC());
    if (!eventually(Duration.ofSeconds(30), index::isCaughtUp)) {
      index.close();
      throw new AssertionError("the index did not catch up within 30 s");
    }
    return index;
  }
}
