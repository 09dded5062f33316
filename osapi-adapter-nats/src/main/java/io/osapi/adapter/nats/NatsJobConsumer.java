package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.Dispatcher;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
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
 * without a round trip of their own. Its own durables ({@code _all}, host, labels), where traffic
 * is rare, are pulled with no-wait requests when a plain NATS subscription on their subjects (no
 * JetStream) rings, and all of them every {@link NatsSettings#sweepInterval()} while there is
 * nothing else to do, which is how redeliveries there are found.
 *
 * <p>Two shared durables, each asked for the free slots, can together deliver more than the worker
 * has room for; the extra deliveries wait here (kept alive with in-progress acks) and go out first
 * on the next fetch. After a reconnect the durables are made sure of and subscribed again. {@link
 * #close} drops the subscriptions and hands back what waits, so other workers get it at once.
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
  private long lastSweepNanos; // guarded by fetching
  private boolean swept; // guarded by fetching
  private long epoch; // guarded by fetching

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

  private void arrived(NatsDurable d, Message m) {
    if (m == null || m.isStatusMessage()) {
      return;
    }
    synchronized (bell) {
      d.arrived(m, System.nanoTime());
      rings++;
      bell.notifyAll();
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
    long sweepNanos = backend.settings().sweepInterval().toNanos();
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
        long now = System.nanoTime();
        boolean full = !swept || now - lastSweepNanos >= sweepNanos;
        if (out.size() < max) {
          sweep(session, out, max, full);
          if (full) {
            swept = true;
            lastSweepNanos = now;
          }
        }
        if (!out.isEmpty()) {
          return out;
        }
        long nextExpiry = requestPulls(session, max);
        if (System.nanoTime() >= deadline) {
          return out;
        }
        long until = Math.min(Math.min(deadline, lastSweepNanos + sweepNanos), nextExpiry);
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
    }
    return out;
  }

  /** Hands out deliveries waiting from the shared durables, fairly, up to {@code max} in all. */
  private void takeArrived(List<Delivery> out, int max) {
    boolean more = true;
    while (more && out.size() < max) {
      more = false;
      for (NatsDurable d : durables) {
        Message m = d.shared ? d.poll() : null;
        if (m != null) {
          out.add(new NatsDelivery(m));
          more = true;
          if (out.size() >= max) {
            return;
          }
        }
      }
    }
  }

  /** Pulls from the own durables that rang (all of them on a full sweep), fairly, to {@code max}. */
  private void sweep(NatsSession session, List<Delivery> out, int max, boolean full) {
    int n = durables.size();
    int start = rotate;
    rotate = (rotate + 1) % n;
    for (int i = 0; i < n && out.size() < max; i++) {
      NatsDurable d = durables.get((start + i) % n);
      if (d.shared || (!full && !d.hot)) {
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
}
