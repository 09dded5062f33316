package io.osapi.adapter.nats;

import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.osapi.core.port.Delivery;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.List;

/**
 * One durable a worker reads from, with its pull bookkeeping.
 *
 * <p>A shared durable ({@code query_any}, {@code modify_any}) is read through one long-lived pull
 * subscription: {@link #request} works out how many deliveries to ask for (the worker's free slots
 * minus what open requests still owe and what arrived but was not handed out), {@link #arrived}
 * books a delivery against the oldest open request and keeps it until {@link #poll}. A worker's
 * own durable is pulled with no-wait requests ({@link #pullNoWait}) when its subjects see traffic.
 *
 * <p>The bookkeeping methods are called with the owning consumer's lock held.
 */
final class NatsDurable {
  private static final System.Logger LOG = System.getLogger(NatsDurable.class.getName());
  /** Largest batch asked for in one pull request (the jnats limit). */
  static final int MAX_PULL = io.nats.client.support.NatsJetStreamConstants.MAX_PULL_SIZE;

  final String name;
  final String filter;
  final boolean shared;
  private final String description;
  private final Duration ackWait;
  private final int maxDeliver;
  private volatile ConsumerContext ctx;
  /** Own durables: its subjects saw traffic (or a sweep is due) since the last pull. */
  volatile boolean hot = true;
  /** Needs binding again before the next pull. */
  volatile boolean broken;
  /** Shared durables: the long-lived pull subscription, or null. */
  volatile JetStreamSubscription sub;
  private final ArrayDeque<Pull> pulls = new ArrayDeque<>();
  private final ArrayDeque<Waiting> arrived = new ArrayDeque<>();

  /** Not bound (the bookkeeping alone, for tests); {@link #open} binds. */
  NatsDurable(String name, String filter, boolean shared, String description,
      Duration ackWait, int maxDeliver) {
    this.name = name;
    this.filter = filter;
    this.shared = shared;
    this.description = description;
    this.ackWait = ackWait;
    this.maxDeliver = maxDeliver;
  }

  /** Creates (or updates) the durable and binds to it. */
  static NatsDurable open(NatsSession session, String name, String filter, boolean shared,
      String description, Duration ackWait, int maxDeliver)
      throws IOException, JetStreamApiException {
    NatsDurable d = new NatsDurable(name, filter, shared, description, ackWait, maxDeliver);
    d.bind(session);
    return d;
  }

  private void bind(NatsSession session) throws IOException, JetStreamApiException {
    NatsSession.ensureConsumer(session.jsm, name, filter, description, ackWait, maxDeliver,
        session.settings.maxAckPending(), true);
    ctx = session.js.getConsumerContext(NatsLayout.STREAM, name);
    broken = false;
  }

  /** Makes sure the durable exists again (a server that lost its state) and binds to it. */
  void reopen(NatsSession session) {
    try {
      bind(session);
    } catch (NatsConfigException e) {
      throw e;
    } catch (Exception e) {
      broken = true;
      throw NatsErrors.unavailable("re-opening consumer " + name, e);
    }
  }

  /** Own durables: pulls up to {@code want} deliveries without waiting; returns how many came. */
  int pullNoWait(NatsSession session, int want, List<Delivery> out) {
    if (broken) {
      reopen(session);
    }
    FetchConsumer fc;
    try {
      fc = ctx.fetch(FetchConsumeOptions.builder().maxMessages(want).noWait().build());
    } catch (JetStreamApiException e) {
      broken = true;
      throw NatsErrors.unavailable("pulling from consumer " + name, e);
    } catch (IOException | RuntimeException e) {
      throw NatsErrors.unavailable("pulling from consumer " + name, e);
    }
    int n = 0;
    try {
      Message m;
      while ((m = fc.nextMessage()) != null) {
        n++;
        out.add(new NatsDelivery(m));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (JetStreamStatusCheckedException e) {
      broken = true;
      LOG.log(Level.WARNING, "pull from consumer {0} failed: {1}", name, e.getMessage());
    } finally {
      try {
        fc.close();
      } catch (Exception ignored) {
        // nothing to do
      }
    }
    return n;
  }

  // ---- shared durables: called with the consumer's lock held

  /** A delivery arrived on the pull subscription: counted against the oldest open request. */
  void arrived(Message m, long now) {
    while (!pulls.isEmpty()) {
      Pull p = pulls.peekFirst();
      if (p.remaining > 0 && now < p.deadline) {
        if (--p.remaining == 0) {
          pulls.pollFirst();
        }
        break;
      }
      pulls.pollFirst();
    }
    arrived.addLast(new Waiting(m, now));
  }

  /** The oldest delivery not handed out yet, or null. */
  Message poll() {
    Waiting w = arrived.pollFirst();
    return w == null ? null : w.message;
  }

  /**
   * How many deliveries to ask for so that open requests and waiting deliveries cover {@code
   * free}; books the request when there is one (the caller sends it). Adds the earliest expiry of
   * an open request to {@code earliest[0]}.
   *
   * <p>While open requests or waiting deliveries still cover some of the free slots, a new request
   * goes out only once the shortfall is at least half of them: a worker whose slots free one at a
   * time would otherwise send a pull request (a publish, and work for the server) for every job it
   * takes. With nothing open, the whole shortfall is asked for at once. Never more than {@code
   * free} either way.
   */
  int request(int free, long now, long expiryNanos, long[] earliest) {
    int covered = arrived.size();
    for (Iterator<Pull> it = pulls.iterator(); it.hasNext(); ) {
      Pull p = it.next();
      if (p.remaining <= 0 || now >= p.deadline) {
        it.remove();
      } else {
        covered += p.remaining;
        earliest[0] = Math.min(earliest[0], p.deadline);
      }
    }
    int want = Math.min(MAX_PULL, free - covered);
    if (covered > 0 && want * 2 < free) {
      want = 0; // still covered in part: ask once the shortfall is worth a request
    }
    if (want > 0) {
      Pull p = new Pull(want, now + expiryNanos);
      pulls.addLast(p);
      earliest[0] = Math.min(earliest[0], p.deadline);
    }
    return want;
  }

  /** Forgets the open requests (the subscription is new or gone). */
  void forgetRequests() {
    pulls.clear();
  }

  /** Adds the deliveries that waited longer than {@code ageNanos} to {@code stale}. */
  void stale(long now, long ageNanos, List<Message> stale) {
    for (Waiting w : arrived) {
      if (now - w.since >= ageNanos) {
        stale.add(w.message);
        w.since = now;
      }
    }
  }

  /** Removes every waiting delivery into {@code out} and forgets the open requests. */
  void drain(List<Message> out) {
    arrived.forEach(w -> out.add(w.message));
    arrived.clear();
    pulls.clear();
  }

  /** An open pull request: deliveries still owed and when it expires. */
  private static final class Pull {
    int remaining;
    final long deadline;

    Pull(int remaining, long deadline) {
      this.remaining = remaining;
      this.deadline = deadline;
    }
  }

  /** A delivery not handed out yet, and since when it was last kept alive. */
  private static final class Waiting {
    final Message message;
    long since;

    Waiting(Message message, long since) {
      this.message = message;
      this.since = since;
    }
  }
}
