package io.osapi.core.memory;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
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
import java.util.TreeMap;

/**
 * A {@link JobQueue} in memory with the delivery rules of a JetStream limits stream and durable
 * pull consumers: at-least-once delivery, ack wait with redelivery, nak with delay, term,
 * in-progress, max deliveries, publish de-duplication by job id, shared {@code _any} durables and
 * per-worker durables that start at the next message. Thread-safe; one lock.
 */
public final class InMemoryJobQueue implements JobQueue {
  private final Object lock = new Object();
  private final Clock clock;
  private final int maxMessages;
  private final Duration dedupWindow;
  private final TreeMap<Long, Msg> messages = new TreeMap<>();
  private final Map<String, TreeMap<Long, Msg>> bySubject = new HashMap<>();
  private final LinkedHashMap<JobId, Long> dedup = new LinkedHashMap<>();
  private final Map<String, Durable> durables = new HashMap<>();
  private long lastSeq;

  /**
   * @param clock the time source for publish times
   * @param maxMessages messages kept at most; the oldest go first
   * @param dedupWindow how long a job id is remembered for de-duplication
   */
  public InMemoryJobQueue(Clock clock, int maxMessages, Duration dedupWindow) {
    this.clock = clock;
    this.maxMessages = maxMessages;
    this.dedupWindow = dedupWindow;
    for (OperationKind k : OperationKind.values()) {
      String name = k.token() + "_any";
      durables.put(name, new Durable(name, "jobs." + k.token() + "._any", 1, Duration.ofSeconds(30), 5));
    }
  }

  /** A queue keeping 100,000 messages and a two-minute de-duplication window. */
  public InMemoryJobQueue(Clock clock) {
    this(clock, 100_000, Duration.ofMinutes(2));
  }

  @Override
  public void publish(Job job) {
    synchronized (lock) {
      long nowMs = clock.millis();
      Iterator<Map.Entry<JobId, Long>> it = dedup.entrySet().iterator();
      while (it.hasNext()) {
        if (it.next().getValue() < nowMs - dedupWindow.toMillis()) {
          it.remove();
        } else {
          break;
        }
      }
      if (dedup.containsKey(job.id())) {
        return;
      }
      dedup.put(job.id(), nowMs);
      Msg m = new Msg(++lastSeq, job.subject(), job.id(), clock.instant());
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
  }

  @Override
  public JobConsumer consumer(ConsumerSpec spec) {
    List<Durable> mine = new ArrayList<>();
    synchronized (lock) {
      for (OperationKind k : OperationKind.values()) {
        Durable shared = durables.get(k.token() + "_any");
        shared.ackWait = spec.ackWait();
        shared.maxDeliver = spec.maxDeliver();
        mine.add(shared);
        for (String suffix : spec.ownSubjectSuffixes()) {
          String name = k.token() + "_" + Names.sanitise(spec.workerId()) + "_" + Names.sanitise(suffix);
          Durable d =
              durables.computeIfAbsent(
                  name,
                  n -> new Durable(n, "jobs." + k.token() + "." + suffix, lastSeq + 1,
                      spec.ackWait(), spec.maxDeliver()));
          d.ackWait = spec.ackWait();
          d.maxDeliver = spec.maxDeliver();
          mine.add(d);
        }
      }
    }
    return new Consumer(mine);
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

  private record Msg(long seq, String subject, JobId jobId, Instant published) {}

  private static final class Pending {
    final Msg msg;
    int deliveries;
    long deadlineNanos;

    Pending(Msg msg) {
      this.msg = msg;
    }
  }

  private final class Durable {
    final String name;
    final String filter;
    long nextSeq;
    Duration ackWait;
    int maxDeliver;
    final TreeMap<Long, Pending> pending = new TreeMap<>();

    Durable(String name, String filter, long nextSeq, Duration ackWait, int maxDeliver) {
      this.name = name;
      this.filter = filter;
      this.nextSeq = nextSeq;
      this.ackWait = ackWait;
      this.maxDeliver = maxDeliver;
    }

    /** The next delivery, or null; the earliest future deadline goes to {@code soonest[0]}. */
    MemDelivery next(long now, long[] soonest) {
      Iterator<Pending> it = pending.values().iterator();
      while (it.hasNext()) {
        Pending p = it.next();
        if (p.deadlineNanos <= now) {
          if (p.deliveries >= maxDeliver || !messages.containsKey(p.msg.seq)) {
            it.remove(); // max deliveries reached (or the message aged out): no more deliveries
            continue;
          }
          p.deliveries++;
          p.deadlineNanos = now + ackWait.toNanos();
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

    @Override
    public JobId jobId() {
      return p.msg.jobId;
    }

    @Override
    public String subject() {
      return p.msg.subject;
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
        durable.pending.remove(p.msg.seq, p);
      }
    }

    @Override
    public void nak(Duration delay) {
      synchronized (lock) {
        if (durable.pending.get(p.msg.seq) == p) {
          p.deadlineNanos = System.nanoTime() + Math.max(0, delay.toNanos());
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
        if (durable.pending.get(p.msg.seq) == p) {
          p.deadlineNanos = System.nanoTime() + durable.ackWait.toNanos();
        }
      }
    }

    @Override
    public String toString() {
      return durable.name + "#" + p.msg.seq + "/" + count;
    }
  }

  private final class Consumer implements JobConsumer {
    private final List<Durable> mine;
    private volatile boolean closed;
    private int rotate;

    Consumer(List<Durable> mine) {
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
              Durable d = mine.get((rotate + i) % mine.size());
              MemDelivery del = d.next(now, soonest);
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
}
