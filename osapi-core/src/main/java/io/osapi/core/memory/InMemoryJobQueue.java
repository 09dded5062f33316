package io.osapi.core.memory;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.domain.Target;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A {@link JobQueue} in memory with the delivery rules of a JetStream limits stream and durable
 * pull consumers: at-least-once delivery, ack wait with redelivery, nak with delay, term,
 * in-progress, max deliveries, publish de-duplication by job id within a window, shared {@code
 * _any} durables and per-worker durables that start at the next message.
 *
 * <p>A delivery that reaches its last allowed delivery ({@link ConsumerSpec#maxDeliver()}) and is
 * not settled before its ack wait runs out (or is nak'd) is not delivered again: it is handed, as
 * an {@link ExhaustedDelivery}, to one of the {@link #onExhausted} handlers, in turn. A handler
 * that throws gets it again after {@link #HANDLER_RETRY_DELAY}; exhaustions that happen while no
 * handler is registered wait for the next one (as the NATS advisories wait in their stream).
 *
 * <p>A message is dropped once every durable of its subject has delivered it and had it settled
 * (it has no more use: later durables start at new messages), so a finished job's notification
 * does not keep its data in memory; messages no durable takes are kept up to the message limit.
 *
 * <p>Thread-safe; one lock. The ack waits that run out on a last delivery are timed on one daemon
 * thread of this queue, which ends when it has nothing to do; exhausted deliveries and due
 * deadlines are handed to their handlers on a thread each (see {@link HandOut}), one call at a
 * time: handlers should be short.
 */
public final class InMemoryJobQueue implements JobQueue {
  /** How long a handler that threw waits before an exhausted delivery is handed out again. */
  public static final Duration HANDLER_RETRY_DELAY = Duration.ofSeconds(1);

  /** Messages a queue made with {@link #InMemoryJobQueue(Clock)} keeps at most. */
  public static final int DEFAULT_MAX_MESSAGES = 100_000;

  /** How long a queue made with {@link #InMemoryJobQueue(Clock)} remembers a job id. */
  public static final Duration DEFAULT_DEDUP_WINDOW = Duration.ofMinutes(2);


  private final Object lock = new Object();
  private final Clock clock;
  private final int maxMessages;
  private final Duration dedupWindow;
  private final TreeMap<Long, Msg> messages = new TreeMap<>();
  private final Map<String, TreeMap<Long, Msg>> bySubject = new HashMap<>();
  /** Job ids, and {@code <job id>/<worker>} of released runs (see {@link #publish}). */
  private final LinkedHashMap<Object, Long> dedup = new LinkedHashMap<>();
  private final Map<String, Durable> durables = new HashMap<>();
  private final HandOut<ExhaustedDelivery> exhausted =
      new HandOut<>("exhausted deliveries", HANDLER_RETRY_DELAY);
  private final HandOut<JobDeadline> deadlines = new HandOut<>("deadlines", HANDLER_RETRY_DELAY);
  private final ScheduledThreadPoolExecutor timer;
  private long lastSeq;

  /**
   * @param clock the time source for publish times and the de-duplication window
   * @param maxMessages messages kept at most; the oldest go first
   * @param dedupWindow how long a job id is remembered for de-duplication
   */
  public InMemoryJobQueue(Clock clock, int maxMessages, Duration dedupWindow) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (maxMessages < 1) {
      throw new IllegalArgumentException("maxMessages must be at least 1");
    }
    this.maxMessages = maxMessages;
    this.dedupWindow = Objects.requireNonNull(dedupWindow, "dedupWindow");
    for (OperationKind k : OperationKind.values()) {
      String name = k.token() + "_any";
      durables.put(name, new Durable(name, null, route(k, Target.Any.INSTANCE), 1,
          Duration.ofSeconds(30), 5));
    }
    timer = new ScheduledThreadPoolExecutor(1, DaemonThreads.single("osapi-memory-queue"));
    timer.setKeepAliveTime(5, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    timer.setRemoveOnCancelPolicy(true);
  }

  /** A queue keeping {@value #DEFAULT_MAX_MESSAGES} messages and {@link #DEFAULT_DEDUP_WINDOW}. */
  public InMemoryJobQueue(Clock clock) {
    this(clock, DEFAULT_MAX_MESSAGES, DEFAULT_DEDUP_WINDOW);
  }

  /** {@inheritDoc} The window given at construction. */
  @Override
  public Duration deduplicationWindow() {
    return dedupWindow;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Here the future is complete when it is returned.
   */
  @Override
  public CompletableFuture<Void> publish(JobNotification notification) {
    Objects.requireNonNull(notification, "notification");
    synchronized (lock) {
      long nowMs = clock.millis();
      Iterator<Map.Entry<Object, Long>> it = dedup.entrySet().iterator();
      while (it.hasNext()) {
        if (it.next().getValue() < nowMs - dedupWindow.toMillis()) {
          it.remove();
        } else {
          break;
        }
      }
      JobId job = notification.job().id();
      String to = notification.releasedTo();
      Object id = to == null ? job : job.value() + "/" + to;
      if (dedup.containsKey(id)) {
        return CompletableFuture.completedFuture(null);
      }
      dedup.put(id, nowMs);
      // a rolling broadcast's released run goes to its worker alone, as a host target would
      Target route = to == null ? notification.job().target() : new Target.Host(to);
      Msg m = new Msg(++lastSeq, route(notification.job().kind(), route), notification,
          clock.instant());
      messages.put(m.seq, m);
      bySubject.computeIfAbsent(m.subject, s -> new TreeMap<>()).put(m.seq, m);
      while (messages.size() > maxMessages) {
        Msg old = messages.pollFirstEntry().getValue();
        TreeMap<Long, Msg> s = bySubject.get(old.subject);
        s.remove(old.seq);
        if (s.isEmpty()) {
          bySubject.remove(old.subject);
        }
      }
      lock.notifyAll();
    }
    return CompletableFuture.completedFuture(null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The shared durables take the ack wait and max deliver of the latest spec that opened them.
   */
  @Override
  public JobConsumer consumer(ConsumerSpec spec) {
    Objects.requireNonNull(spec, "spec");
    List<Durable> mine = new ArrayList<>();
    synchronized (lock) {
      for (OperationKind k : OperationKind.values()) {
        Durable shared = durables.get(k.token() + "_any");
        shared.ackWait = spec.ackWait();
        shared.maxDeliver = spec.maxDeliver();
        mine.add(shared);
        for (Target t : spec.ownTargets()) {
          String route = route(k, t);
          String name = spec.workerId() + " " + route;
          Durable d = durables.computeIfAbsent(name, n -> new Durable(n, spec.workerId(),
              route, lastSeq + 1, spec.ackWait(), spec.maxDeliver()));
          d.ackWait = spec.ackWait();
          d.maxDeliver = spec.maxDeliver();
          mine.add(d);
        }
      }
    }
    return new InMemoryConsumer(lock, mine);
  }

  @Override
  public QueueBacklog backlog() {
    synchronized (lock) {
      long pending = 0;
      long ackPending = 0;
      for (OperationKind k : OperationKind.values()) {
        Durable d = durables.get(k.token() + "_any");
        TreeMap<Long, Msg> s = bySubject.get(d.filter);
        pending += s == null ? 0 : s.tailMap(d.nextSeq, true).size();
        ackPending += d.pending.size();
      }
      return new QueueBacklog(pending, ackPending);
    }
  }

  @Override
  public AutoCloseable onExhausted(Consumer<ExhaustedDelivery> handler) {
    return exhausted.subscribe(handler);
  }

  /**
   * {@inheritDoc} In memory: a timer task, handed to the subscribed handlers in turn when due
   * (those that throw get it again after {@link #HANDLER_RETRY_DELAY}); nothing survives the
   * process, as nothing else of the embedded broker does.
   */
  @Override
  public CompletableFuture<Void> scheduleDeadline(JobDeadline deadline) {
    Objects.requireNonNull(deadline, "deadline");
    deadlines.offerAfter(deadline, Duration.between(clock.instant(), deadline.at()).toMillis());
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public AutoCloseable onDeadline(Consumer<JobDeadline> handler) {
    return deadlines.subscribe(handler);
  }

  /** Messages held now (for tests). */
  int messageCount() {
    synchronized (lock) {
      return messages.size();
    }
  }

  /**
   * Under the lock: drops {@code m} when every durable of its subject has delivered it and none
   * still waits for its settlement.
   */
  private void dropIfDone(Msg m) {
    for (Durable d : durables.values()) {
      if (d.filter.equals(m.subject) && (d.nextSeq <= m.seq || d.pending.containsKey(m.seq))) {
        return;
      }
    }
    if (messages.remove(m.seq) != null) {
      TreeMap<Long, Msg> s = bySubject.get(m.subject);
      s.remove(m.seq);
      if (s.isEmpty()) {
        bySubject.remove(m.subject);
      }
    }
  }

  /** Under the lock: the delivery ran out (the caller removed it); queue it for a handler. */
  private void exhaust(Durable d, Pending p) {
    exhausted.offer(new ExhaustedDelivery(p.msg.notification.job().id(), d.worker, p.deliveries));
  }

  /** Under the lock: makes sure a last delivery is looked at when its deadline passes. */
  private void watchLastDelivery(Durable d, Pending p) {
    if (p.deliveries < d.maxDeliver) {
      return; // redelivered by the next fetch
    }
    long deadline = p.deadlineNanos;
    timer.schedule(() -> checkLastDelivery(d, p, deadline),
        Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
  }

  private void checkLastDelivery(Durable d, Pending p, long deadline) {
    synchronized (lock) {
      if (d.pending.get(p.msg.seq) != p || p.deadlineNanos != deadline) {
        return; // settled, or its deadline moved (a newer check is scheduled)
      }
      if (System.nanoTime() < deadline) {
        watchLastDelivery(d, p);
      } else if (p.deliveries >= d.maxDeliver) {
        d.pending.remove(p.msg.seq);
        if (messages.containsKey(p.msg.seq)) { // else it aged out of the stream
          exhaust(d, p);
        }
      }
    }
  }

  /**
   * Where a notification goes here, in place of a NATS subject: its kind and its target's wire
   * form ({@code query _any}, {@code modify web01}, {@code query group:web}). A durable takes the
   * messages of one route, as a JetStream durable takes one filter subject.
   */
  private static String route(OperationKind kind, Target target) {
    return kind.token() + " " + target.text();
  }

  /** A stored notification; {@code subject} is its {@link #route}. */
  private record Msg(long seq, String subject, JobNotification notification, Instant published) {}

  private static final class Pending {
    final Msg msg;
    int deliveries;
    long deadlineNanos;

    Pending(Msg msg) {
      this.msg = msg;
    }
  }

  private final class Durable implements InMemoryConsumer.Source {
    final String name;
    /** The worker of an own durable, null for a shared one. */
    final String worker;
    final String filter;
    long nextSeq;
    Duration ackWait;
    int maxDeliver;
    final TreeMap<Long, Pending> pending = new TreeMap<>();

    Durable(String name, String worker, String filter, long nextSeq, Duration ackWait,
        int maxDeliver) {
      this.name = name;
      this.worker = worker;
      this.filter = filter;
      this.nextSeq = nextSeq;
      this.ackWait = ackWait;
      this.maxDeliver = maxDeliver;
    }

    /** The next delivery, or null; the earliest future deadline goes to {@code soonest[0]}. */
    @Override
    public MemDelivery next(long now, long[] soonest) {
      Iterator<Pending> it = pending.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (p.deadlineNanos <= now) {
          if (!messages.containsKey(p.msg.seq)) {
            it.remove(); // aged out of the stream: nothing to deliver
            continue;
          }
          if (p.deliveries >= maxDeliver) {
            it.remove();
            exhaust(this, p);
            continue;
          }
          p.deliveries++;
          p.deadlineNanos = now + ackWait.toNanos();
          watchLastDelivery(this, p);
          return new MemDelivery(this, p);
        }
        soonest[0] = Math.min(soonest[0], p.deadlineNanos);
      }
      TreeMap<Long, Msg> s = bySubject.get(filter);
      if (s == null) {
        return null;
      }
      Map.Entry<Long, Msg> e = s.ceilingEntry(nextSeq);
      if (e == null) {
        return null;
      }
      nextSeq = e.getKey() + 1;
      Pending p = new Pending(e.getValue());
      p.deliveries = 1;
      p.deadlineNanos = now + ackWait.toNanos();
      pending.put(p.msg.seq, p);
      watchLastDelivery(this, p);
      return new MemDelivery(this, p);
    }
  }

  private final class MemDelivery implements Delivery {
    private final Durable durable;
    private final Pending p;
    private final int count;

    MemDelivery(Durable durable, Pending p) {
      this.durable = durable;
      this.p = p;
      this.count = p.deliveries;
    }

    /**
     * True while the message is not settled. As on JetStream, a settlement counts for the message,
     * whichever of its deliveries makes it.
     */
    private boolean current() {
      return durable.pending.get(p.msg.seq) == p;
    }

    @Override
    public JobNotification notification() {
      return p.msg.notification;
    }


    @Override
    public int deliveryCount() {
      return count;
    }

    @Override
    public Instant publishedAt() {
      return p.msg.published;
    }

    @Override
    public void ack() {
      synchronized (lock) {
        if (current()) {
          durable.pending.remove(p.msg.seq);
          dropIfDone(p.msg);
        }
      }
    }

    @Override
    public void nak(Duration delay) {
      synchronized (lock) {
        if (current()) {
          p.deadlineNanos = System.nanoTime() + Math.max(0, delay.toNanos());
          watchLastDelivery(durable, p);
          lock.notifyAll();
        }
      }
    }

    @Override
    public void term() {
      ack();
    }

    @Override
    public void inProgress() {
      synchronized (lock) {
        if (current()) {
          p.deadlineNanos = System.nanoTime() + durable.ackWait.toNanos();
          watchLastDelivery(durable, p);
        }
      }
    }

    @Override
    public String toString() {
      return durable.name + "#" + p.msg.seq + "/" + count;
    }
  }
}
