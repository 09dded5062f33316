package io.osapi.core.concurrent;

import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread factory of osapi: daemon threads named {@code <prefix>-<n>} (or {@code <prefix>}
 * alone for a single thread), so that no pool keeps a JVM alive and every thread says whose it is
 * in a thread dump. The owner of a pool still shuts it down: daemon threads are a net, not the
 * lifecycle.
 */
public final class DaemonThreads implements ThreadFactory {
  private final String prefix;
  private final boolean numbered;
  private final AtomicInteger next = new AtomicInteger();

  private DaemonThreads(String prefix, boolean numbered) {
    this.prefix = Objects.requireNonNull(prefix, "prefix");
    this.numbered = numbered;
  }

  /** Threads named {@code <prefix>-1}, {@code <prefix>-2}, ... */
  public static DaemonThreads named(String prefix) {
    return new DaemonThreads(prefix, true);
  }

  /** Threads named {@code name} exactly (for an executor of one thread). */
  public static DaemonThreads single(String name) {
    return new DaemonThreads(name, false);
  }

  @Override
  public Thread newThread(Runnable r) {
    Thread t = new Thread(r, numbered ? prefix + "-" + next.incrementAndGet() : prefix);
    t.setDaemon(true);
    return t;
  }
}
