package io.osapi.core.memory;

import io.osapi.core.domain.JobId;
import io.osapi.core.port.JobWatch;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The watchers of an {@link InMemoryJobStore} and the order they hear writes in: a write is told
 * once it is stored (a read made on hearing it sees it), while that job's writes are held, so each
 * watcher hears one job's writes in the order the store took them; a new watch's replay holds off
 * every write until it is done.
 */
final class StoreWatchers {
  private final List<JobWatch.Listener> listeners = new CopyOnWriteArrayList<>();
  /** The locks of the jobs' writes, by the job id's hash. */
  private final Object[] stripes = new Object[64];
  /** Writes hold the read side (many at once); a new watch's replay holds the write side. */
  private final ReentrantReadWriteLock replay = new ReentrantReadWriteLock();

  StoreWatchers() {
    for (int i = 0; i < stripes.length; i++) {
      stripes[i] = new Object();
    }
  }

  /**
   * Makes a write of job {@code id} and, when {@code write} says it was stored, tells each watcher
   * by {@code tell}.
   */
  void write(JobId id, BooleanSupplier write, Consumer<JobWatch.Listener> tell) {
    synchronized (stripes[(id.hashCode() & 0x7fffffff) % stripes.length]) {
      replay.readLock().lock();
      try {
        if (write.getAsBoolean()) {
          for (JobWatch.Listener l : listeners) {
            tell.accept(l);
          }
        }
      } finally {
        replay.readLock().unlock();
      }
    }
  }

  /**
   * Adds {@code listener} after {@code replay} told it what the store holds and it heard {@link
   * JobWatch.Listener#caughtUp()}; writes wait meanwhile.
   */
  JobWatch watch(JobWatch.Listener listener, Runnable replayAll) {
    replay.writeLock().lock();
    try {
      replayAll.run();
      listener.caughtUp();
      listeners.add(listener);
    } finally {
      replay.writeLock().unlock();
    }
    return () -> listeners.remove(listener);
  }
}
