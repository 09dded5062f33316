package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.osapi.core.port.Delivery;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One worker's durables and what {@link NatsJobConsumer} keeps of them under one lock, the bell:
 * the shared durables' deliveries waiting for a slot and their open pull requests, which own
 * durables are due a pull, and the rings that wake the thread waiting in a fetch. The methods
 * marked "fetching thread" are called by one thread at a time (the consumer's fetch lock).
 */
final class WorkerDurables {
  private static final System.Logger LOG = System.getLogger(WorkerDurables.class.getName());

  /** Every durable of the worker, shared and own. */
  final List<NatsDurable> all;
  private final Object bell = new Object();
  private long rings; // guarded by bell
  private int nextShared; // guarded by bell
  private int nextOwn; // fetching thread
  private long lastSweepNanos; // fetching thread
  private boolean swept; // fetching thread

  WorkerDurables(List<NatsDurable> durables) {
    this.all = List.copyOf(durables);
  }

  /** How often the bell rang so far: what {@link #await} waits for a change of. */
  long rings() {
    synchronized (bell) {
      return rings;
    }
  }

  /** Wakes the thread waiting in {@link #await}. */
  void ring() {
    synchronized (bell) {
      rings++;
      bell.notifyAll();
    }
  }

  /** Waits until the bell rang since {@code seen}, {@code closed} holds or {@code until} passed. */
  void await(long seen, long until, BooleanSupplier closed) throws InterruptedException {
    synchronized (bell) {
      while (rings == seen && !closed.getAsBoolean()) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          return;
        }
        TimeUnit.NANOSECONDS.timedWait(bell, left);
      }
    }
  }

  /**
   * Books a delivery of shared durable {@code d}. With {@code slots} (the worker's, when it takes
   * deliveries as they come) and a slot free, takes the slot and returns the oldest delivery
   * waiting from {@code d}, to be handed over; otherwise keeps it, rings the bell when there are no
   * slots to wait for (a fetch takes it), and returns null.
   */
  Message arrived(NatsDurable d, Message m, Semaphore slots) {
    synchronized (bell) {
      d.arrived(m, System.nanoTime());
      if (slots == null) {
        rings++;
        bell.notifyAll();
        return null;
      }
      return slots.tryAcquire() ? d.poll() : null;
    }
  }

  /**
   * Takes a slot of {@code slots} and the next delivery waiting from the shared durables, in
   * turn; null, with no slot taken, when either is missing.
   */
  Message takeWaiting(Semaphore slots) {
    synchronized (bell) {
      if (!slots.tryAcquire()) {
        return null;
      }
      Message m = pollShared();
      if (m == null) {
        slots.release();
      }
      return m;
    }
  }

  /** Adds the shared durables' waiting deliveries, in turn, to {@code out}, up to {@code max}. */
  void takeWaiting(List<Delivery> out, int max) {
    synchronized (bell) {
      Message m;
      while (out.size() < max && (m = pollShared()) != null) {
        out.add(new NatsDelivery(m));
      }
    }
  }

  private Message pollShared() {
    int n = all.size();
    for (int i = 0; i < n; i++) {
      NatsDurable d = all.get((nextShared + i) % n);
      Message m = d.shared ? d.poll() : null;
      if (m != null) {
        nextShared = (nextShared + i + 1) % n;
        return m;
      }
    }
    return null;
  }

  /**
   * Books a pull request on shared durable {@code d} for the free slots not yet covered (see
   * {@link NatsDurable#request}); returns how many to ask for, 0 for none.
   */
  int book(NatsDurable d, int free, long now, long expiryNanos, long[] earliest) {
    synchronized (bell) {
      return d.request(free, now, expiryNanos, earliest);
    }
  }

  /** Forgets {@code d}'s open pull requests (its subscription is new, gone or failed). */
  void forgetRequests(NatsDurable d) {
    synchronized (bell) {
      d.forgetRequests();
    }
  }

  /** Adds the waiting deliveries last kept alive over {@code ageNanos} ago to {@code out}. */
  void stale(long ageNanos, List<Message> out) {
    synchronized (bell) {
      long now = System.nanoTime();
      all.forEach(d -> d.stale(now, ageNanos, out));
    }
  }

  /** Removes every waiting delivery into {@code out} and forgets the open requests. */
  void drainShared(List<Message> out) {
    synchronized (bell) {
      for (NatsDurable d : all) {
        if (d.shared) {
          d.drain(out);
        }
      }
    }
  }

  // ---- own durables

  /** Whether an own durable is due a pull (its subjects rang, or a sweep). */
  boolean anyOwnHot() {
    for (NatsDurable d : all) {
      if (!d.shared && d.hot) {
        return true;
      }
    }
    return false;
  }

  /** Marks every own durable due a pull once {@code intervalNanos} passed since the last time. */
  void sweepIfDue(long intervalNanos) { // fetching thread
    long now = System.nanoTime();
    if (swept && now - lastSweepNanos < intervalNanos) {
      return;
    }
    swept = true;
    lastSweepNanos = now;
    for (NatsDurable d : all) {
      if (!d.shared) {
        d.hot = true;
      }
    }
  }

  /** When the next sweep is due (nanoTime). */
  long nextSweep(long intervalNanos) { // fetching thread
    return lastSweepNanos + intervalNanos;
  }

  /** Pulls from the own durables due a pull, in turn, adding to {@code out} up to {@code max}. */
  void pullOwn(NatsSession session, List<Delivery> out, int max) { // fetching thread
    int n = all.size();
    int start = nextOwn;
    nextOwn = (nextOwn + 1) % n;
    for (int i = 0; i < n && out.size() < max; i++) {
      NatsDurable d = all.get((start + i) % n);
      if (d.shared || !d.hot) {
        continue;
      }
      d.hot = false;
      int want = Math.min(NatsDurable.MAX_PULL, max - out.size());
      int got;
      try {
        got = d.pullNoWait(session, want, out);
      } catch (RuntimeException e) {
        d.hot = true;
        if (out.isEmpty()) {
          throw e;
        }
        // hand out what was already delivered rather than leave it to the ack wait
        LOG.log(Level.DEBUG, "pull from {0} failed after other deliveries: {1}", d.name,
            e.getMessage());
        return;
      }
      if (got >= want) {
        d.hot = true; // there may be more
      }
    }
  }
}
