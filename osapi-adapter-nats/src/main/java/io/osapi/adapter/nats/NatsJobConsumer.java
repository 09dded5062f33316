package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.DeliveryHandler;
import io.osapi.core.port.JobConsumer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One worker's consumers: the two shared {@code _any} durables and its own durables, each a
 * {@link NatsDurable}. Deliveries are handed out as they come: the worker claims the job in the
 * store (compare-and-set on its run), so nothing here decides whether a job may run.
 *
 * <p>A worker never asks the server for more deliveries than it has free slots. The shared
 * durables, where the load is, are pulled with long-lived pull requests (expiring after {@link
 * #PULL_EXPIRY}): whenever the free slots exceed what is already asked for and not yet delivered,
 * a new request for the difference goes out, and deliveries arrive on the connection's dispatcher
 * without a round trip of their own. Through {@link #deliver} they are handed to the worker right
 * there, each with a slot taken for it, and a slot given back hands over the next waiting
 * delivery or asks for more, on the thread that gives it back: the job's path wakes no thread of
 * this consumer's. Its own durables ({@code _all}, host, labels), where traffic is rare, are
 * pulled with no-wait requests by the thread in {@link #deliver} or {@link #fetch} when a plain
 * NATS subscription on their subjects (no JetStream) rings, and all of them every {@link
 * NatsSettings#sweepInterval()}, which is how redeliveries there are found.
 *
 * <p>Two shared durables, each asked for the free slots, can together deliver more than the worker
 * has room for; the extra deliveries wait here (kept alive with in-progress acks) and go out first
 * when a slot frees (or on the next fetch). After a reconnect the durables are made sure of and
 * subscribed again. {@link #close} drops the subscriptions and hands back what waits, so other
 * workers get it at once.
 */
final class NatsJobConsumer implements JobConsumer {
  private static final System.Logger LOG = System.getLogger(NatsJobConsumer.class.getName());
  /** Delay before a durable that could not be subscribed is tried again. */
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** How long a pull request on a shared durable waits at the server. */
  static final Duration PULL_EXPIRY = Duration.ofSeconds(2);

  private final NatsLink backend;
  private final ConsumerSpec spec;
  private final List<NatsDurable> durables;
  private final Map<String, NatsDurable> bySubject = new HashMap<>();
  private final Consumer<NatsJobConsumer> onClose;
  /** Guards the durables' bookkeeping and {@link #rings}; notified when something arrives. */
  private final Object bell = new Object();
  private final Object fetching = new Object();
  private final Connection conn;
  private final Dispatcher doorbell;
  private final ScheduledExecutorService keeper;
  private long rings; // guarded by bell
  private volatile boolean closed;
  private int rotate; // guarded by fetching
  private int rotateShared; // guarded by bell
  private long lastSweepNanos; // guarded by fetching
  private boolean swept; // guarded by fetching
  private long epoch; // guarded by fetching
  /** The worker's slots and handler, from the last {@link #deliver}; null before the first. */
  private volatile Push push;

  NatsJobConsumer(NatsLink backend, ConsumerSpec spec, List<NatsDurable> durables,
      Consumer<NatsJobConsumer> onClose) {
    this.backend = backend;
    this.spec = spec;
    this.durables = List.copyOf(durables);
    this.onClose = onClose;
    this.epoch = backend.provisionEpoch();
    durables.forEach(d -> bySubject.put(d.filter, d));
    NatsSession session = backend.requireSession();
    this.conn = session.conn;
    this.doorbell = conn.createDispatcher(this::ring);
    try {
      for (NatsDurable d : durables) {
        if (d.shared) {
          subscribe(session, d);
        } else {
          doorbell.subscribe(d.filter);
        }
      }
    } catch (RuntimeException e) {
      try {
        conn.closeDispatcher(doorbell);
      } catch (RuntimeException ce) {
        e.addSuppressed(ce);
      }
      throw e;
    }
    long keep = Math.max(100, spec.ackWait().toMillis() / 3);
    this.keeper = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.single("osapi-nats-keeper-" + spec.workerId()));
    keeper.scheduleWithFixedDelay(() -> keepWaitingAlive(keep * 1_000_000L), keep, keep,
        TimeUnit.MILLISECONDS);
  }

  /** Binds a new pull subscription to a shared durable, dropping the old one. */
  private void subscribe(NatsSession session, NatsDurable d) {
    unsubscribe(d);
    try {
      d.sub = session.js.subscribe(d.filter, doorbell, m -> arrived(d, m),
          PullSubscribeOptions.builder().stream(NatsLayout.STREAM).durable(d.name).bind(true)
              .build());
    } catch (Exception e) {
      d.broken = true;
      throw NatsErrors.unavailable("subscribing to consumer " + d.name, e);
    }
    synchronized (bell) {
      d.forgetRequests();
    }
    d.broken = false;
  }

  /**
   * A delivery on a shared durable's pull subscription, on the dispatcher: handed to the worker
   * here when it has a free slot ({@link #deliver}), else kept until a slot frees or a fetch.
   */
  private void arrived(NatsDurable d, Message m) {
    if (m == null || m.isStatusMessage()) {
      return;
    }
    Push p = push;
    Message take = null;
    synchronized (bell) {
      d.arrived(m, System.nanoTime());
      if (p == null) {
        rings++;
        bell.notifyAll();
      } else if (!closed && p.slots.tryAcquire()) {
        take = d.poll();
      }
    }
    if (take != null) {
      handOver(p, take);
    }
  }

  /** Hands {@code m}, for which a slot of {@code p} was taken, to the worker. */
  private void handOver(Push p, Message m) {
    NatsDelivery d;
    try {
      d = new NatsDelivery(m);
    } catch (RuntimeException e) {
      p.slots.release();
      LOG.log(Level.WARNING, "a delivery could not be read, left to its ack wait: {0}",
          e.toString());
      return;
    }
    p.handler.handle(d, p.done);
  }

  /**
   * A slot of the worker's was given back: the next delivery waiting here goes out on it, or the
   * shared durables are asked for more; the fetch thread is woken only for an own durable's pull.
   */
  private void freed(Push p) {
    if (closed) {
      return;
    }
    Message m = null;
    boolean ownHot = false;
    synchronized (bell) {
      if (p.slots.tryAcquire()) {
        m = pollShared();
        if (m == null) {
          p.slots.release();
        }
      }
      if (m == null) {
        for (NatsDurable d : durables) {
          ownHot |= !d.shared && d.hot;
        }
        if (ownHot) {
          rings++;
          bell.notifyAll();
        }
      }
    }
    if (m != null) {
      handOver(p, m);
    } else if (!ownHot) {
      askShared(p.slots.availablePermits());
    }
  }

  /** The next delivery waiting from the shared durables, taken in turn; with the bell held. */
  private Message pollShared() {
    int n = durables.size();
    for (int i = 0; i < n; i++) {
      NatsDurable d = durables.get((rotateShared + i) % n);
      Message m = d.shared ? d.poll() : null;
      if (m != null) {
        rotateShared = (rotateShared + i + 1) % n;
        return m;
      }
    }
    return null;
  }

  /**
   * Asks the shared durables for {@code free} slots' worth without subscribing (off the fetch
   * thread: a durable that needs it is left to the fetch thread, woken).
   */
  private void askShared(int free) {
    if (free <= 0) {
      return;
    }
    long now = System.nanoTime();
    long[] earliest = {Long.MAX_VALUE};
    for (NatsDurable d : durables) {
      io.nats.client.JetStreamSubscription sub = d.sub;
      if (!d.shared || sub == null || d.broken) {
        continue;
      }
      int want;
      synchronized (bell) {
        want = d.request(free, now, PULL_EXPIRY.toNanos(), earliest);
      }
      if (want > 0) {
        try {
          sub.pullExpiresIn(want, PULL_EXPIRY);
        } catch (RuntimeException e) {
          d.broken = true;
          synchronized (bell) {
            d.forgetRequests();
            rings++;
            bell.notifyAll();
          }
          LOG.log(Level.DEBUG, "pull request on {0} failed: {1}", d.name, e.getMessage());
        }
      }
    }
  }

  /** A publish on one of the own durables' subjects: pull from it on the next round. */
  private void ring(Message m) {
    NatsDurable d = bySubject.get(m.getSubject());
    if (d != null) {
      d.hot = true;
    }
    synchronized (bell) {
      rings++;
      bell.notifyAll();
    }
  }

  /** Sends in-progress acks for deliveries that have waited here longer than {@code ageNanos}. */
  private void keepWaitingAlive(long ageNanos) {
    List<Message> stale = new ArrayList<>();
    synchronized (bell) {
      long now = System.nanoTime();
      durables.forEach(d -> d.stale(now, ageNanos, stale));
    }
    for (Message m : stale) {
      try {
        m.inProgress();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "in-progress ack failed: {0}", e.getMessage());
      }
    }
  }

  @Override
  public List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
    List<Delivery> out = new ArrayList<>();
    synchronized (fetching) {
      while (!closed) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        NatsSession session = backend.requireSession();
        reopenIfReprovisioned(session);
        long seen;
        synchronized (bell) {
          seen = rings;
          takeArrived(out, max);
        }
        sweepIfDue();
        if (out.size() < max) {
          sweep(session, out, max);
        }
        if (!out.isEmpty()) {
          return out;
        }
        long nextExpiry = requestPulls(session, max);
        if (System.nanoTime() >= deadline) {
          return out;
        }
        await(seen, Math.min(Math.min(deadline, nextSweep()), nextExpiry));
      }
    }
    return out;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here deliveries of the shared durables are handed over on the connection's dispatcher as
   * they arrive, or on the thread that gives a slot back when they had to wait for one; a slot
   * given back also asks the shared durables for more. The calling thread pulls from the own
   * durables when their subjects rang or a sweep is due, makes pull requests whose predecessors
   * expired, and subscribes again after a failure: the hot path does not wake it.
   */
  @Override
  public void deliver(Semaphore slots, DeliveryHandler handler, Duration maxWait)
      throws InterruptedException {
    Push known = push;
    Push p = known != null && known.slots == slots && known.handler == handler
        ? known : new Push(slots, handler);
    push = p;
    long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
    List<Delivery> out = new ArrayList<>();
    synchronized (fetching) {
      while (!closed) {
        if (Thread.interrupted()) {
          throw new InterruptedException();
        }
        NatsSession session = backend.requireSession();
        reopenIfReprovisioned(session);
        long seen;
        synchronized (bell) {
          seen = rings;
        }
        handOverWaiting(p);
        sweepIfDue();
        int taken = anyOwnHot() ? slots.drainPermits() : 0;
        if (taken > 0) {
          try {
            sweep(session, out, taken);
          } finally {
            slots.release(taken - out.size());
          }
          for (Delivery d : out) {
            p.handler.handle(d, p.done);
          }
          out.clear();
          handOverWaiting(p); // what arrived while the slots were taken
        }
        long nextExpiry = requestPulls(session, slots.availablePermits());
        if (System.nanoTime() >= deadline) {
          return;
        }
        if (taken == 0 || !anyOwnHot()) {
          // an own durable still hot with no slot free: woken by the next slot given back
          await(seen, Math.min(Math.min(deadline, nextSweep()), nextExpiry));
        }
      }
    }
  }

  /** Hands over deliveries waiting from the shared durables while slots are free. */
  private void handOverWaiting(Push p) {
    while (true) {
      Message m;
      synchronized (bell) {
        if (closed || !p.slots.tryAcquire()) {
          return;
        }
        m = pollShared();
        if (m == null) {
          p.slots.release();
          return;
        }
      }
      handOver(p, m);
    }
  }

  /** Marks every own durable to be pulled when a sweep is due; with {@link #fetching} held. */
  private void sweepIfDue() {
    long now = System.nanoTime();
    if (swept && now - lastSweepNanos < backend.settings().sweepInterval().toNanos()) {
      return;
    }
    swept = true;
    lastSweepNanos = now;
    for (NatsDurable d : durables) {
      if (!d.shared) {
        d.hot = true;
      }
    }
  }

  private long nextSweep() {
    return lastSweepNanos + backend.settings().sweepInterval().toNanos();
  }

  private boolean anyOwnHot() {
    for (NatsDurable d : durables) {
      if (!d.shared && d.hot) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the bell rang since {@code seen}, the consumer closed or {@code until} passed. */
  private void await(long seen, long until) throws InterruptedException {
    synchronized (bell) {
      while (rings == seen && !closed) {
        long left = until - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(bell, left);
      }
    }
  }

  /** Hands out deliveries waiting from the shared durables, fairly, up to {@code max} in all. */
  private void takeArrived(List<Delivery> out, int max) {
    Message m;
    while (out.size() < max && (m = pollShared()) != null) {
      out.add(new NatsDelivery(m));
    }
  }

  /** Pulls from the own durables that rang (all of them when a sweep was due), fairly, to {@code max}. */
  private void sweep(NatsSession session, List<Delivery> out, int max) {
    int n = durables.size();
    int start = rotate;
    rotate = (rotate + 1) % n;
    for (int i = 0; i < n && out.size() < max; i++) {
      NatsDurable d = durables.get((start + i) % n);
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

  /**
   * Asks each shared durable for the free slots not yet covered by open requests or waiting
   * deliveries; returns the earliest time an open request expires.
   */
  private long requestPulls(NatsSession session, int free) {
    long[] earliest = {Long.MAX_VALUE};
    long now = System.nanoTime();
    for (NatsDurable d : durables) {
      if (!d.shared) {
        continue;
      }
      if (d.sub == null || d.broken) {
        try {
          subscribe(session, d);
        } catch (RuntimeException e) {
          LOG.log(Level.DEBUG, "subscribing to {0} failed: {1}", d.name, e.getMessage());
          earliest[0] = Math.min(earliest[0], now + RETRY_NANOS);
          continue;
        }
      }
      int want;
      synchronized (bell) {
        want = d.request(free, now, PULL_EXPIRY.toNanos(), earliest);
      }
      if (want > 0) {
        try {
          d.sub.pullExpiresIn(want, PULL_EXPIRY);
        } catch (RuntimeException e) {
          synchronized (bell) {
            d.forgetRequests();
          }
          d.broken = true;
          LOG.log(Level.DEBUG, "pull request on {0} failed: {1}", d.name, e.getMessage());
          earliest[0] = Math.min(earliest[0], now + RETRY_NANOS);
        }
      }
    }
    return earliest[0];
  }

  /** After the backend provisioned again (a reconnect), makes sure the durables still exist. */
  private void reopenIfReprovisioned(NatsSession session) {
    long e = backend.provisionEpoch();
    if (e == epoch) {
      return;
    }
    for (NatsDurable d : durables) {
      d.reopen(session);
      d.hot = true;
      if (d.shared) {
        subscribe(session, d);
      }
    }
    epoch = e;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    synchronized (bell) {
      bell.notifyAll();
    }
    keeper.shutdownNow();
    List<Message> back = new ArrayList<>();
    for (NatsDurable d : durables) {
      if (d.shared) {
        unsubscribe(d);
        synchronized (bell) {
          d.drain(back);
        }
      }
    }
    for (Message m : back) {
      try {
        m.nak();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "handing back failed: {0}", e.getMessage());
      }
    }
    try {
      conn.closeDispatcher(doorbell);
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "closing the doorbell failed: {0}", e.getMessage());
    }
    onClose.accept(this);
    LOG.log(Level.DEBUG, "consumer of worker {0} closed", spec.workerId());
  }

  private void unsubscribe(NatsDurable d) {
    io.nats.client.JetStreamSubscription sub = d.sub;
    d.sub = null;
    if (sub != null) {
      try {
        doorbell.unsubscribe(sub);
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "unsubscribing from {0} failed: {1}", d.name, e.getMessage());
      }
    }
  }

  /** The worker's slots and handler, and the one {@code done} every delivery comes with. */
  private final class Push {
    final Semaphore slots;
    final DeliveryHandler handler;
    final Runnable done;

    Push(Semaphore slots, DeliveryHandler handler) {
      this.slots = slots;
      this.handler = handler;
      this.done = () -> {
        slots.release();
        freed(this);
      };
    }
  }
}
