package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The futures of {@link JobClient#whenDone}: one per job waited for, completed by the job index
 * when it sees the job's status become terminal (or the job deleted). Costs the index one empty
 * check per write while nobody waits.
 */
final class DoneWaiters {
  private final ConcurrentHashMap<JobId, CompletableFuture<JobStatus>> waiting =
      new ConcurrentHashMap<>();

  /**
   * The future of {@code id}'s terminal status. {@code current} is read after the future is in
   * place, so a status that turned terminal just before is not missed.
   */
  CompletableFuture<JobStatus> await(JobId id, Function<JobId, JobStatus> current) {
    CompletableFuture<JobStatus> f = waiting.computeIfAbsent(id, k -> new CompletableFuture<>());
    changed(id, current.apply(id));
    // a copy: a caller that cancels or completes its future touches no other caller's
    return f.thenApply(s -> s);
  }

  /** The index saw {@code id} at {@code status} ({@code null}: not known to it). */
  void changed(JobId id, JobStatus status) {
    if (waiting.isEmpty() || status == null || !terminal(status)) {
      return;
    }
    CompletableFuture<JobStatus> f = waiting.remove(id);
    if (f != null) {
      f.complete(status);
    }
  }

  /** The job is gone: its waiters hear so. */
  void deleted(JobId id) {
    if (waiting.isEmpty()) {
      return;
    }
    CompletableFuture<JobStatus> f = waiting.remove(id);
    if (f != null) {
      f.completeExceptionally(new NoSuchElementException("job " + id + " was deleted"));
    }
  }

  /** The index is closing: nothing will complete the futures left. */
  void closed() {
    for (JobId id : waiting.keySet()) {
      CompletableFuture<JobStatus> f = waiting.remove(id);
      if (f != null) {
        f.completeExceptionally(new IllegalStateException("the job client was closed"));
      }
    }
  }

  private static boolean terminal(JobStatus s) {
    return s.terminal();
  }
}
