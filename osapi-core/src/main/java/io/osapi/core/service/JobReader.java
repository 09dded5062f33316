package io.osapi.core.service;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The detail reads of {@link JobClient}: a job's record and, at the same time, the run an {@code
 * _any} job would have, by their keys (lists come from the job index alone); every finished run
 * is checked against its worker's accepted key ({@link WorkerKeys#verify}).
 */
final class JobReader {
  /** How many such reads run at the same time. */
  private static final int READ_THREADS = 16;

  private final JobStore store;
  private final WorkerKeys keys;
  /**
   * Threads that read the {@code _any} run beside a detail's record, this client's own; idle ones
   * end after 30 s, and {@link #close} stops them.
   */
  private final ExecutorService reads;

  JobReader(JobStore store, WorkerKeys keys) {
    this.store = store;
    this.keys = keys;
    ThreadPoolExecutor t = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30,
        TimeUnit.SECONDS, new LinkedBlockingQueue<>(), DaemonThreads.named("osapi-job-reads"));
    t.allowCoreThreadTimeOut(true);
    this.reads = t;
  }

  /**
   * The job with its computed status, or empty when unknown: the record and the run an {@code
   * _any} job would have are read at the same time.
   */
  Optional<JobView> get(JobId id) {
    CompletableFuture<Optional<Versioned<Run>>> any = readAnyRun(id);
    return store.find(id).map(v -> view(v.value(), any));
  }

  /** The reader's executor, for work that reads the store off the caller's thread. */
  ExecutorService executor() {
    return reads;
  }

  /** Stops the read threads. */
  void close() {
    reads.shutdownNow();
  }

  private CompletableFuture<Optional<Versioned<Run>>> readAnyRun(JobId id) {
    return store.runAsync(RunKey.any(id), reads);
  }

  private JobView view(JobRecord record, CompletableFuture<Optional<Versioned<Run>>> any) {
    RunKey anyKey = RunKey.any(record.job().id());
    if (record.runKeys().equals(List.of(anyKey))) {
      Optional<Versioned<Run>> run = Futures.join(any);
      return JobView.of(record, run.isEmpty() ? Map.of() : Map.of(anyKey, run.get().value()),
          keys::verify);
    }
    return JobView.of(record, store.runs(record), keys::verify);
  }
}
