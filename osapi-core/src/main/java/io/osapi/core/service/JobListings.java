package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStats;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.JobView;
import io.osapi.core.port.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;

/**
 * The listing part of {@link JobClient} (which delegates to it): pages and searches of the jobs,
 * counts by status and the futures of jobs that end, all read from a {@link JobIndex}. The index
 * is the one the client was given (its owner starts and closes it) or one made here on first use,
 * watching the store, and closed by {@link #close}. The first use waits up to 30 s for an index
 * made here to catch up with the store; while an index is still reading the store at start, every
 * read fails with {@link BackendUnavailableException}.
 */
final class JobListings {
  /** How long the first listing waits for an index made here to read the store. */
  private static final Duration INDEX_CATCH_UP = Duration.ofSeconds(30);

  private final JobStore store;
  private final Clock clock;
  private final JobReader reader;
  /** The index of listings: given (its owner closes it), or made on first use (closed here). */
  private volatile JobIndex index;
  private final boolean ownsIndex;
  private volatile boolean closed;

  /**
   * @param index the index to read, or null to make one watching {@code store} on first use
   * @param reader reads a job whole for {@link #whenDone}, on its executor
   */
  JobListings(JobStore store, Clock clock, JobIndex index, JobReader reader) {
    this.store = store;
    this.clock = clock;
    this.reader = reader;
    this.index = index;
    this.ownsIndex = index == null;
  }

  /** See {@link JobClient#search}: checks the paging, then reads one slice of the index. */
  JobPage search(JobFilter filter, int limit, int offset, JobId after) {
    if (limit < 1 || limit > JobClient.MAX_PAGE) {
      throw new InvalidInputException("limit", "limit must be between 1 and " + JobClient.MAX_PAGE);
    }
    if (offset < 0) {
      throw new InvalidInputException("offset", "offset must not be negative");
    }
    JobIndex.Slice slice = index().search(filter, limit, offset, after);
    List<JobSummary> items = slice.items();
    JobId next = slice.more() && !items.isEmpty() ? items.get(items.size() - 1).id() : null;
    return new JobPage(items, (int) Math.min(Integer.MAX_VALUE, slice.total()), next);
  }

  /** See {@link JobClient#stats}. */
  JobStats stats() {
    return index().stats();
  }

  /** See {@link JobClient#whenDone}. */
  CompletableFuture<JobView> whenDone(JobId id) {
    JobIndex i = index();
    if (i.status(id) == null && reader.get(id).isEmpty()) { // the index may not have seen it yet
      return CompletableFuture.failedFuture(new NoSuchElementException("job " + id + " is not known"));
    }
    return i.whenDone(id).thenApplyAsync(s -> reader.get(id).orElseThrow(
        () -> new NoSuchElementException("job " + id + " was deleted")), reader.executor());
  }

  /** The index, caught up with the store (made and waited for, up to 30 s, on first use). */
  private JobIndex index() {
    requireOpen();
    JobIndex i = index;
    if (i == null) {
      synchronized (this) {
        requireOpen();
        i = index;
        if (i == null) {
          i = JobIndex.of(store, clock);
          index = i;
        }
      }
      try {
        i.awaitCaughtUp(INDEX_CATCH_UP);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (!i.isCaughtUp()) {
      throw new BackendUnavailableException("the job index is still reading the job store ("
          + i.behind() + " writes to go)", null);
    }
    return i;
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the job client is closed");
    }
  }

  /** Closes the index made here (a given one stays open); reads throw from then on. Idempotent. */
  void close() {
    JobIndex i;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      i = index;
    }
    if (i != null && ownsIndex) {
      i.close();
    }
  }
}
