package io.osapi.core.memory;

import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A consumer of {@link InMemoryJobQueue}: fetches from its sources (the queue's durables) in turn,
 * under the queue's lock, waiting on it until a delivery is due or the wait ends.
 */
final class InMemoryConsumer implements JobConsumer {
  /** Where deliveries come from: one durable of the queue. Called with the queue's lock held. */
  interface Source {
    /**
     * The next delivery due at {@code now} (nanoTime), or null; lowers {@code soonest[0]} to when
     * one will be due.
     */
    Delivery next(long now, long[] soonest);
  }

  private final Object lock;
  private final List<? extends Source> mine;
  private volatile boolean closed;
  private int rotate;

  InMemoryConsumer(Object lock, List<? extends Source> mine) {
    this.lock = lock;
    this.mine = mine;
  }

  @Override
  public List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    long deadline = System.nanoTime() + maxWait.toNanos();
    List<Delivery> out = new ArrayList<>();
    synchronized (lock) {
      while (!closed) {
        long now = System.nanoTime();
        long[] soonest = {Long.MAX_VALUE};
        boolean progress = true;
        while (out.size() < max && progress) {
          progress = false;
          for (int i = 0; i < mine.size() && out.size() < max; i++) {
            Delivery del = mine.get((rotate + i) % mine.size()).next(now, soonest);
            if (del != null) {
              out.add(del);
              progress = true;
            }
          }
        }
        rotate = (rotate + 1) % mine.size();
        if (!out.isEmpty() || now >= deadline) {
          return out;
        }
        long waitNanos = Math.min(deadline, soonest[0]) - now;
        long ms = Math.max(1, waitNanos / 1_000_000);
        lock.wait(ms);
      }
    }
    return out;
  }

  @Override
  public void close() {
    closed = true;
    synchronized (lock) {
      lock.notifyAll();
    }
  }
}
