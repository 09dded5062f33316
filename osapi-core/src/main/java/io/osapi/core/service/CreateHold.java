package io.osapi.core.service;

import io.osapi.core.concurrent.Backoff;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * One create held through an unavailable backend: its steps are tried again after a back-off
 * while they fail with {@link BackendUnavailableException} and the patience has not run out.
 * The first attempt of a step runs on the caller's thread.
 */
final class CreateHold {
  private static final System.Logger LOG = System.getLogger(JobSubmitter.class.getName());

  private final JobId id;
  private final Backoff backoff;
  private final Executor retryThreads;
  private final long start = System.nanoTime();
  private final long deadline;
  /** Retries so far, over all steps: the back-off grows over the whole create. */
  volatile int retries;

  /** {@code retryThreads}: where later attempts run; it refuses them once closed. */
  CreateHold(JobId id, Duration patience, Backoff backoff, Executor retryThreads) {
    this.id = id;
    this.backoff = backoff;
    this.retryThreads = retryThreads;
    this.deadline = start + patience.toNanos();
  }

  long elapsedMillis() {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  <T> CompletableFuture<T> attempt(String what, Supplier<CompletableFuture<T>> step) {
    CompletableFuture<T> out = new CompletableFuture<>();
    run(what, step, out);
    return out;
  }

  private <T> void run(String what, Supplier<CompletableFuture<T>> step,
      CompletableFuture<T> out) {
    CompletableFuture<T> f;
    try {
      f = step.get();
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((v, err) -> {
      if (err == null) {
        out.complete(v);
        return;
      }
      Throwable c = Futures.unwrap(err);
      long left = deadline - System.nanoTime();
      if (!(c instanceof BackendUnavailableException) || left <= 0) {
        out.completeExceptionally(c instanceof BackendUnavailableException && retries > 0
            ? new BackendUnavailableException("job " + id + ": " + what + " failed for "
                + elapsedMillis() + " ms (" + (retries + 1) + " attempts): " + c.getMessage(),
                c)
            : c);
        return;
      }
      long delay = Math.min(left, backoff.delay(retries).toNanos());
      retries++;
      LOG.log(Level.DEBUG, "job {0}: {1} failed ({2}); trying again in {3} ms", id, what,
          c.getMessage(), TimeUnit.NANOSECONDS.toMillis(delay));
      Executor closedFails = r -> {
        try {
          retryThreads.execute(r);
        } catch (RejectedExecutionException closed) {
          out.completeExceptionally(new BackendUnavailableException(
              "job " + id + ": the job client was closed while its create was held", closed));
        }
      };
      CompletableFuture.runAsync(() -> run(what, step, out),
          CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS, closedFails));
    });
  }
}
