package io.osapi.core.service;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Versioned;
import io.osapi.core.port.JobStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The reads of {@link JobClient}: a job's detail and the items of a page, each read from the
 * store by its keys, a page's reads at the same time.
 */
final class JobReader {
  private final JobStore store;

  JobReader(JobStore store) {
    this.store = store;
  }

  /**
   * The job with its computed status, or empty when unknown: the record and the run an {@code
   * _any} job would have are read at the same time.
   */
  Optional<JobView> get(JobId id) {
    CompletableFuture<Optional<Versioned<Run>>> any = readAnyRun(id);
    return store.find(id).map(v -> view(v.value(), any));
  }

  /** The jobs of an index slice, read at the same time (a job deleted meanwhile is left out). */
  JobPage page(JobIndex.Slice slice) {
    // every record and every _any run of the page at once, then the broadcasts' runs
    List<CompletableFuture<Optional<Versioned<JobRecord>>>> records = new ArrayList<>();
    List<CompletableFuture<Optional<Versioned<Run>>>> anyRuns = new ArrayList<>();
    for (JobId id : slice.ids()) {
      records.add(CompletableFuture.supplyAsync(() -> store.find(id), reads()));
      anyRuns.add(readAnyRun(id));
    }
    List<JobView> items = new ArrayList<>(slice.ids().size());
    for (int i = 0; i < records.size(); i++) {
      Optional<Versioned<JobRecord>> r = Futures.join(records.get(i));
      if (r.isPresent()) {
        items.add(view(r.get().value(), anyRuns.get(i)));
      }
    }
    JobId next = slice.more() && !slice.ids().isEmpty()
        ? slice.ids().get(slice.ids().size() - 1) : null;
    return new JobPage(items, (int) Math.min(Integer.MAX_VALUE, slice.total()), next);
  }

  private CompletableFuture<Optional<Versioned<Run>>> readAnyRun(JobId id) {
    return CompletableFuture.supplyAsync(() -> store.run(RunKey.any(id)), reads());
  }

  private JobView view(JobRecord record, CompletableFuture<Optional<Versioned<Run>>> any) {
    RunKey anyKey = RunKey.any(record.job().id());
    if (record.runKeys().equals(List.of(anyKey))) {
      Optional<Versioned<Run>> run = Futures.join(any);
      return JobView.of(record, run.isEmpty() ? Map.of() : Map.of(anyKey, run.get().value()));
    }
    return JobView.of(record, store.runs(record));
  }

  /** Threads that read a page's jobs at the same time (reads wait for the store's answers). */
  private static volatile ExecutorService readPool;

  private static ExecutorService reads() {
    ExecutorService p = readPool;
    if (p == null) {
      synchronized (JobReader.class) {
        p = readPool;
        if (p == null) {
          AtomicInteger n = new AtomicInteger();
          ThreadPoolExecutor t = new ThreadPoolExecutor(READ_THREADS, READ_THREADS, 30,
              TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
                Thread th = new Thread(r, "osapi-job-reads-" + n.incrementAndGet());
                th.setDaemon(true);
                return th;
              });
          t.allowCoreThreadTimeOut(true);
          readPool = p = t;
        }
      }
    }
    return p;
  }

  /** How many reads of one page run at the same time. */
  private static final int READ_THREADS = 16;
}
