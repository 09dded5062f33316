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
  private final WorkerDurables durables;
  private final Map<String, NatsDurable> bySubject = new HashMap<>();
  private final Consumer<NatsJobConsumer> onClose;
  /** Held by the thread in {@link #fetch} or {@link #deliver}: one at a time. */
  private final Object fetching = new Object();
  private final Connection conn;
  private final Dispatcher doorbell;
  private final ScheduledExecutorService keeper;
  private volatile boolean closed;
  private long epoch; // guarded by fetching
  /** The worker's slots and handler, from the last {@link #deliver}; null before the first. */
  private volatile Push push;

  NatsJobConsumer(NatsLink backend, ConsumerSpec spec, List<NatsDurable> durables,
      Consumer<NatsJobConsumer> onClose) {
    this.backend = backend;
    this.spec = spec;
    this.durables = new WorkerDurables(durables);
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
    durables.forgetRequests(d);
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
    Message take = durables.arrived(d, m, p == null || closed ? null : p.slots);
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
   * The start of a turn of {@link #fetch} or {@link #deliver}: stops when interrupted, else the
   * session, with the durables made sure of after a reconnect.
   */
  private NatsSession turn() throws InterruptedException {
    if (Thread.interrupted()) {
      throw new InterruptedException();
    }
    NatsSession session = backend.requireSession();
    reopenIfReprovisioned(session);
    return session;
  }

  /** Waits for the bell, or until the deadline, the next sweep or the next request's expiry. */
  private void await(long seen, long deadline, long sweep, long nextExpiry)
      throws InterruptedException {
    durables.await(seen, Math.min(Math.min(deadline, durables.nextSweep(sweep)), nextExpiry),
        () -> closed);
  }

  /** Hands over deliveries waiting from the shared durables while slots are free. */
  private void handOverWaiting(Push p) {
    Message m;
    while (!closed && (m = durables.takeWaiting(p.slots)) != null) {
      handOver(p, m);
    }
  }

  /**
   * A slot of the worker's was given back: the next delivery waiting here goes out on it, or the
   * shared durables are asked for more; the thread in {@link #deliver} is woken only for an own
   * durable's pull.
   */
  private void freed(Push p) {
    if (closed) {
      return;
    }
    Message m = durables.takeWaiting(p.slots);
    if (m != null) {
      handOver(p, m);
    } else if (durables.anyOwnHot()) {
      durables.ring();
    } else {
      ask(null, p.slots.availablePermits());
    }
  }

  /** A publish on one of the own durables' subjects: pull from it on the next round. */
  private void ring(Message m) {
    NatsDurable d = bySubject.get(m.getSubject());
    if (d != null) {
      d.hot = true;
    }
    durables.ring();
  }

  /** Sends in-progress acks for deliveries that have waited here longer than {@code ageNanos}. */
  private void keepWaitingAlive(long ageNanos) {
    List<Message> stale = new ArrayList<>();
    durables.stale(ageNanos, stale);
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
    long sweep = backend.settings().sweepInterval().toNanos();
    List<Delivery> out = new ArrayList<>();
    synchronized (fetching) {
      while (!closed) {
        NatsSession session = turn();
        long seen = durables.rings();
        durables.takeWaiting(out, max);
        durables.sweepIfDue(sweep);
        if (out.size() < max) {
          durables.pullOwn(session, out, max);
        }
        if (!out.isEmpty()) {
          return out;
        }
        long nextExpiry = ask(session, max);
        if (System.nanoTime() >= deadline) {
          return out;
        }
        await(seen, deadline, sweep, nextExpiry);
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
    long sweep = backend.settings().sweepInterval().toNanos();
    List<Delivery> own = new ArrayList<>();
    synchronized (fetching) {
      while (!closed) {
        NatsSession session = turn();
        long seen = durables.rings();
        handOverWaiting(p);
        durables.sweepIfDue(sweep);
        int taken = durables.anyOwnHot() ? slots.drainPermits() : 0;
        if (taken > 0) {
          try {
            durables.pullOwn(session, own, taken);
          } finally {
            slots.release(taken - own.size());
          }
          for (Delivery d : own) {
            p.handler.handle(d, p.done);
          }
          own.clear();
          handOverWaiting(p); // what arrived while the slots were taken
        }
        long nextExpiry = ask(session, slots.availablePermits());
        if (System.nanoTime() >= deadline) {
          return;
        }
        if (taken == 0 || !durables.anyOwnHot()) {
          // an own durable still due with no slot free is pulled once a slot is given back
          await(seen, deadline, sweep, nextExpiry);
        }
      }
    }
  }

  /**
   * Asks each shared durable for the free slots not yet covered by open requests or waiting
   * deliveries; returns the earliest time an open request expires. With a {@code session} (the
   * fetching thread) a durable whose subscription failed is subscribed again; without (a slot
   * given back) it is left to that thread, woken.
   */
  private long ask(NatsSession session, int free) {
    long[] earliest = {Long.MAX_VALUE};
    long now = System.nanoTime();
    for (NatsDurable d : durables.all) {
      if (!d.shared) {
        continue;
      }
      if (d.sub == null || d.broken) {
        if (session == null) {
          durables.ring();
          continue;
        }
        try {
          subscribe(session, d);
        } catch (RuntimeException e) {
          LOG.log(Level.DEBUG, "subscribing to {0} failed: {1}", d.name, e.getMessage());
          earliest[0] = Math.min(earliest[0], now + RETRY_NANOS);
          continue;
        }
      }
      io.nats.client.JetStreamSubscription sub = d.sub;
      int want = sub == null ? 0 : durables.book(d, free, now, PULL_EXPIRY.toNanos(), earliest);
      if (want > 0) {
        try {
          sub.pullExpiresIn(want, PULL_EXPIRY);
        } catch (RuntimeException e) {
          durables.forgetRequests(d);
          d.broken = true;
          LOG.log(Level.DEBUG, "pull request on {0} failed: {1}", d.name, e.getMessage());
          earliest[0] = Math.min(earliest[0], now + RETRY_NANOS);
          if (session == null) {
            durables.ring();
          }
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
    for (NatsDurable d : durables.all) {
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
    durables.ring();
    keeper.shutdownNow();
    List<Message> back = new ArrayList<>();
    for (NatsDurable d : durables.all) {
      if (d.shared) {
        unsubscribe(d);
      }
    }
    durables.drainShared(back);
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
