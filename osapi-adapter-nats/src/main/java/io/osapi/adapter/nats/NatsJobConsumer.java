package io.osapi.adapter.nats;

import io.nats.client.ConsumerContext;
import io.nats.client.Dispatcher;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamStatusCheckedException;
import io.nats.client.Message;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobMetrics;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One worker's consumers: the two shared {@code _any} durables and its own durables.
 *
 * <p>A worker never asks the server for more deliveries than it has free slots. The shared
 * durables, where the load is, are pulled with long-lived pull requests (expiring after {@link
 * #PULL_EXPIRY}) through one subscription each: whenever the free slots exceed what is already
 * asked for and not yet delivered, a new request for the difference goes out, and deliveries
 * arrive on the connection's dispatcher without a round trip of their own. Its own durables
 * ({@code _all}, host, labels), where traffic is rare, are pulled with no-wait requests when a
 * plain NATS subscription on their subjects (no JetStream) rings, and all of them every {@link
 * NatsSettings#sweepInterval()} while there is nothing else to do, which is how redeliveries (ack
 * wait expired, nak with delay) are found there.
 *
 * <p>Two shared durables, each asked for the free slots, can together deliver more than the
 * worker has room for; the extra deliveries wait in this consumer (kept alive with in-progress
 * acks) and go out first on the next fetch. Deliveries from the shared durables go through {@link
 * #admit} (a claim per job, written asynchronously for a whole batch), so that a job JetStream
 * delivers twice is not run twice. After a reconnect, fetching pauses briefly ({@link
 * NatsBackend#settleNanosLeft()}) so that writes other clients queued across the outage land before
 * jobs are handed out again.
 */
final class NatsJobConsumer implements JobConsumer {
  private static final System.Logger LOG = System.getLogger(NatsJobConsumer.class.getName());
  /** Delay before a delivery that could not be checked is offered again. */
  private static final Duration RECHECK_DELAY = Duration.ofSeconds(1);
  /** Largest batch asked for in one pull request (the jnats limit). */
  private static final int MAX_PULL = io.nats.client.support.NatsJetStreamConstants.MAX_PULL_SIZE;
  /** How long a pull request on a shared durable waits at the server. */
  static final Duration PULL_EXPIRY = Duration.ofSeconds(2);

  private final NatsBackend backend;
  private final ConsumerSpec spec;
  private final List<Source> sources;
  private final Map<String, Source> bySubject = new HashMap<>();
  private final JobMetrics metrics;
  private final Consumer<NatsJobConsumer> onClose;
  private final Object bell = new Object();
  private final Object fetching = new Object();
  private final Dispatcher doorbell;
  private final java.util.concurrent.ScheduledExecutorService keeper;
  private final io.nats.client.Connection conn;
  private long rings; // guarded by bell
  private volatile boolean closed;
  private int rotate; // guarded by fetching
  private long lastSweepNanos; // guarded by fetching
  private boolean swept; // guarded by fetching
  private long epoch; // guarded by fetching

  NatsJobConsumer(
      NatsBackend backend,
      ConsumerSpec spec,
      List<Source> sources,
      JobMetrics metrics,
      Consumer<NatsJobConsumer> onClose) {
    this.backend = backend;
    this.spec = spec;
    this.sources = List.copyOf(sources);
    this.metrics = metrics;
    this.onClose = onClose;
    this.epoch = backend.provisionEpoch();
    for (Source s : sources) {
      bySubject.put(s.subject, s);
    }
    NatsSession session = backend.requireSession();
    this.conn = session.conn;
    this.doorbell = session.conn.createDispatcher(this::ring);
    try {
      for (Source s : sources) {
        if (s.shared) {
          subscribe(session, s);
        } else {
          doorbell.subscribe(s.subject);
        }
      }
    } catch (RuntimeException e) {
      try {
        session.conn.closeDispatcher(doorbell);
      } catch (RuntimeException ce) {
        e.addSuppressed(ce);
      }
      throw e;
    }
    long keep = Math.max(100, spec.ackWait().toMillis() / 3);
    this.keeper =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "osapi-nats-keeper-" + spec.workerId());
              t.setDaemon(true);
              return t;
            });
    keeper.scheduleWithFixedDelay(
        () -> keepWaitingAlive(keep * 1_000_000L),
        keep,
        keep,
        java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  /**
   * Binds a (new) pull subscription to a shared durable, dropping the old one; its deliveries land
   * in {@link #arrived}.
   */
  private void subscribe(NatsSession session, Source s) {
    unsubscribe(s);
    try {
      s.sub =
          session.js.subscribe(
              s.subject,
              doorbell,
              m -> arrived(s, m),
              io.nats.client.PullSubscribeOptions.builder()
                  .stream(NatsLayout.STREAM)
                  .durable(s.durable)
                  .bind(true)
                  .build());
    } catch (Exception e) {
      s.broken = true;
      throw NatsErrors.unavailable("subscribing to consumer " + s.durable, e);
    }
    synchronized (bell) {
      s.pulls.clear();
    }
    s.broken = false;
  }

  /** A delivery from a shared durable: counted against the oldest open request, kept. */
  private void arrived(Source s, Message m) {
    if (m == null || m.isStatusMessage()) {
      return;
    }
    synchronized (bell) {
      long now = System.nanoTime();
      while (!s.pulls.isEmpty()) {
        Pull p = s.pulls.peekFirst();
        if (p.remaining > 0 && now < p.deadline) {
          p.remaining--;
          if (p.remaining == 0) {
            s.pulls.pollFirst();
          }
          break;
        }
        s.pulls.pollFirst();
      }
      s.arrived.addLast(new Waiting(m, now));
      rings++;
      bell.notifyAll();
    }
  }

  /** Sends in-progress acks for deliveries that have waited here longer than {@code ageNanos}. */
  private void keepWaitingAlive(long ageNanos) {
    List<Message> stale = new ArrayList<>();
    synchronized (bell) {
      long now = System.nanoTime();
      for (Source s : sources) {
        for (Waiting w : s.arrived) {
          if (now - w.since >= ageNanos) {
            stale.add(w.message);
            w.since = now;
          }
        }
      }
    }
    for (Message m : stale) {
      try {
        m.inProgress();
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "in-progress ack failed: {0}", e.getMessage());
      }
    }
  }

  private void ring(Message m) {
    Source s = bySubject.get(m.getSubject());
    if (s != null) {
      s.hot = true;
    }
    synchronized (bell) {
      rings++;
      bell.notifyAll();
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
        long settle = backend.settleNanosLeft();
        if (settle > 0) {
          long wait = Math.min(settle, deadline - System.nanoTime());
          if (wait <= 0) {
            return out;
          }
          synchronized (bell) {
            bell.wait(Math.max(1, wait / 1_000_000));
          }
          continue;
        }
        reopenIfReprovisioned(session);
        long seen;
        synchronized (bell) {
          seen = rings;
        }
        takeArrived(session, out, max);
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
        long nextExpiry = requestPulls(max);
        now = System.nanoTime();
        if (now >= deadline) {
          return out;
        }
        long until = Math.min(Math.min(deadline, lastSweepNanos + sweepNanos), nextExpiry);
        synchronized (bell) {
          while (rings == seen && !closed) {
            long left = until - System.nanoTime();
            if (left <= 0) {
              break;
            }
            bell.wait(Math.max(1, left / 1_000_000));
          }
        }
      }
    }
    return out;
  }

  /** Pulls from the marked durables (all of them on a full sweep), fairly, until {@code max}. */
  private void sweep(NatsSession session, List<Delivery> out, int max, boolean full)
      throws InterruptedException {
    int n = sources.size();
    int start = rotate;
    rotate = (rotate + 1) % n;
    for (int i = 0; i < n && out.size() < max; i++) {
      Source s = sources.get((start + i) % n);
      if (s.shared || (!full && !s.hot)) {
        continue;
      }
      s.hot = false;
      int want = Math.min(MAX_PULL, max - out.size());
      int got;
      try {
        got = pull(session, s, want, out);
      } catch (RuntimeException e) {
        s.hot = true;
        if (out.isEmpty()) {
          throw e;
        }
        // hand out what was already delivered rather than leave it to the ack wait
        LOG.log(Level.DEBUG, "pull from {0} failed after other deliveries: {1}", s.durable,
            e.getMessage());
        return;
      }
      if (got >= want) {
        s.hot = true; // there may be more
      }
    }
  }

  private int pull(NatsSession session, Source s, int want, List<Delivery> out)
      throws InterruptedException {
    if (s.broken) {
      s.reopen(session);
    }
    int n = 0;
    FetchConsumer fc;
    try {
      fc = s.ctx.fetch(FetchConsumeOptions.builder().maxMessages(want).noWait().build());
    } catch (JetStreamApiException e) {
      s.broken = true;
      throw NatsErrors.unavailable("pulling from consumer " + s.durable, e);
    } catch (IOException | RuntimeException e) {
      throw NatsErrors.unavailable("pulling from consumer " + s.durable, e);
    }
    try {
      Message m;
      while ((m = fc.nextMessage()) != null) {
        n++;
        NatsDelivery d = NatsDelivery.of(m, backend.freshAfter());
        if (d == null) {
          poison(m);
        } else {
          out.add(d);
        }
      }
    } catch (JetStreamStatusCheckedException e) {
      s.broken = true;
      LOG.log(Level.WARNING, "pull from consumer {0} failed: {1}", s.durable, e.getMessage());
    } finally {
      try {
        fc.close();
      } catch (Exception ignored) {
        // nothing to do
      }
    }
    return n;
  }

  /**
   * Hands out deliveries waiting from the shared durables, up to {@code max} in all, fairly
   * across the durables, after admitting them (see {@link #admit}).
   */
  private void takeArrived(NatsSession session, List<Delivery> out, int max) {
    List<Message> taken = new ArrayList<>();
    synchronized (bell) {
      boolean more = true;
      while (more && out.size() + taken.size() < max) {
        more = false;
        for (Source s : sources) {
          Waiting w = s.shared ? s.arrived.pollFirst() : null;
          if (w != null) {
            taken.add(w.message);
            more = true;
            if (out.size() + taken.size() >= max) {
              break;
            }
          }
        }
      }
    }
    if (taken.isEmpty()) {
      return;
    }
    List<NatsDelivery> fresh = new ArrayList<>();
    for (Message m : taken) {
      NatsDelivery d = NatsDelivery.of(m, backend.freshAfter());
      if (d == null) {
        poison(m);
      } else if (doubtful(d) && finishedOrUnknown(session, d, out)) {
        continue;
      } else {
        fresh.add(d);
      }
    }
    if (fresh.isEmpty()) {
      return;
    }
    // claim the whole batch with asynchronous create-if-absent writes
    byte[] mine = spec.workerId().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    io.nats.client.PublishOptions create =
        io.nats.client.PublishOptions.builder()
            .expectedStream(NatsLayout.JOBS_KV_STREAM)
            .expectedLastSubjectSequence(0)
            .build();
    List<java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck>> claims =
        new ArrayList<>();
    for (NatsDelivery d : fresh) {
      java.util.concurrent.CompletableFuture<io.nats.client.api.PublishAck> f;
      try {
        f =
            session.js.publishAsync(
                NatsLayout.JOBS_KV_PREFIX + NatsLayout.claimKey(d.jobId()), mine, create);
      } catch (RuntimeException e) {
        f = java.util.concurrent.CompletableFuture.failedFuture(e);
      }
      claims.add(f);
    }
    long wait = backend.settings().requestTimeout().toMillis();
    for (int i = 0; i < fresh.size(); i++) {
      NatsDelivery d = fresh.get(i);
      Admission a;
      try {
        claims.get(i).get(wait, java.util.concurrent.TimeUnit.MILLISECONDS);
        a = Admission.RUN;
      } catch (java.util.concurrent.ExecutionException e) {
        a = claimedAlready(e) ? admit(session, d) : unknown(d, e.getCause());
      } catch (java.util.concurrent.TimeoutException e) {
        a = unknown(d, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        a = unknown(d, e);
      }
      settle(a, d, out);
    }
  }

  /** Whether a create-if-absent failed because the key exists (jnats wraps the API error). */
  private static boolean claimedAlready(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof JetStreamApiException je) {
        return je.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE;
      }
    }
    return false;
  }

  /**
   * For a {@link #doubtful} delivery, before it is claimed: settles it and returns true when the
   * job has a result (done) or the look-up failed (given back shortly).
   */
  private boolean finishedOrUnknown(NatsSession session, NatsDelivery d, List<Delivery> out) {
    try {
      if (!finished(session, d)) {
        return false;
      }
      settle(Admission.DONE, d, out);
    } catch (Exception e) {
      settle(unknown(d, e), d, out);
    }
    return true;
  }

  private Admission unknown(NatsDelivery d, Throwable why) {
    LOG.log(Level.DEBUG, "could not claim job {0}, given back: {1}", d.jobId(),
        why == null ? "?" : why.getMessage());
    return Admission.UNKNOWN;
  }

  private void settle(Admission a, NatsDelivery d, List<Delivery> out) {
    switch (a) {
      case RUN -> out.add(d.heldWhile(() -> holds(d)));
      case DONE -> d.ack();
      case LATER -> d.nak(spec.ackWait());
      case UNKNOWN -> d.nak(RECHECK_DELAY);
    }
  }

  /**
   * Asks each shared durable for the free slots not yet covered by open requests or waiting
   * deliveries; returns the earliest time an open request expires.
   */
  private long requestPulls(int free) {
    long earliest = Long.MAX_VALUE;
    long now = System.nanoTime();
    for (Source s : sources) {
      if (!s.shared) {
        continue;
      }
      if (s.sub == null || s.broken) {
        try {
          subscribe(backend.requireSession(), s);
        } catch (RuntimeException e) {
          LOG.log(Level.DEBUG, "subscribing to {0} failed: {1}", s.durable, e.getMessage());
          earliest = Math.min(earliest, now + RECHECK_DELAY.toNanos());
          continue;
        }
      }
      int want;
      synchronized (bell) {
        int covered = s.arrived.size();
        for (java.util.Iterator<Pull> it = s.pulls.iterator(); it.hasNext(); ) {
          Pull p = it.next();
          if (p.remaining <= 0 || now >= p.deadline) {
            it.remove();
          } else {
            covered += p.remaining;
            earliest = Math.min(earliest, p.deadline);
          }
        }
        want = Math.min(MAX_PULL, free - covered);
        if (want > 0) {
          Pull p = new Pull(want, now + PULL_EXPIRY.toNanos());
          s.pulls.addLast(p);
          earliest = Math.min(earliest, p.deadline);
        }
      }
      if (want > 0) {
        try {
          s.sub.pullExpiresIn(want, PULL_EXPIRY);
        } catch (RuntimeException e) {
          synchronized (bell) {
            s.pulls.clear();
          }
          s.broken = true;
          LOG.log(Level.DEBUG, "pull request on {0} failed: {1}", s.durable, e.getMessage());
          earliest = Math.min(earliest, now + RECHECK_DELAY.toNanos());
        }
      }
    }
    return earliest;
  }

  /**
   * Whether this worker's claim on the job still stands (no other worker took it over). True when
   * it cannot be read: the caller's writes then fail on their own.
   */
  private boolean holds(NatsDelivery d) {
    try {
      io.nats.client.api.KeyValueEntry claim =
          backend.requireSession().jobsKv.get(NatsLayout.claimKey(d.jobId()));
      return claim == null
          || claim.getValue() == null
          || spec.workerId()
              .equals(new String(claim.getValue(), java.nio.charset.StandardCharsets.UTF_8));
    } catch (Exception e) {
      return true;
    }
  }

  /** What to do with a delivery from a shared durable. */
  private enum Admission {
    /** Hand it to the worker. */
    RUN,
    /** Already finished by some worker: acknowledge, do not run. */
    DONE,
    /** Another worker may be running it right now: give it back for one ack wait. */
    LATER,
    /** Could not tell (the look-ups failed): give it back shortly. */
    UNKNOWN
  }

  /**
   * Whether a delivery from a shared durable is doubtful: a redelivery, or a notification
   * published before this connection last came up. In the steady state (published while
   * connected, first delivery) neither holds and a delivery is handed out with no look-up.
   *
   * <p>Doubtful deliveries are where at-least-once shows: a redelivery after the finishing
   * worker's ack was lost (the worker service only checks whether it finished the job itself,
   * and a shared durable may redeliver to another worker); and a nats-server killed hard
   * (kill -9, power loss) can come back with stale consumer state and deliver notifications it
   * had already delivered, or even the same one twice, with a delivery count of 1.
   */
  private boolean doubtful(NatsDelivery d) {
    return !d.fresh();
  }

  /**
   * Decides a delivery from a shared durable with a claim in bucket {@code osapi-jobs} ({@code
   * claims.<id>}, create-if-absent), so that a job is run by one worker at a time even when the
   * server delivers it twice:
   *
   * <ul>
   *   <li>claim created: run it (the steady state: one extra write per {@code _any} job);
   *   <li>already claimed, and the job has a result (written only for a final outcome, before the
   *       terminal event): done, acknowledge it;
   *   <li>claimed, on a redelivery: the claimant's ack wait ran out (it died, or handed the job
   *       back), so take the claim over (compare-and-set; a no-op for one's own) and run it;
   *   <li>claimed, on a first delivery: a duplicate from a restarted server while the claimant
   *       (possibly this very worker) may be running it: give it back for one ack wait, after
   *       which it is done or a redelivery.
   * </ul>
   *
   * The create is tried by {@link #takeArrived} for a whole batch (a {@link #doubtful} delivery is
   * checked for a result before that); this decides a delivery whose create found a claim.
   */
  private Admission admit(NatsSession session, NatsDelivery d) {
    String id = d.jobId().value();
    String me = spec.workerId();
    try {
      String key = NatsLayout.claimKey(d.jobId());
      byte[] mine = me.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      if (!doubtful(d) && finished(session, d)) {
        return Admission.DONE;
      }
      io.nats.client.api.KeyValueEntry claim = session.jobsKv.get(key);
      if (claim == null) {
        return Admission.UNKNOWN; // claimed and gone again: look once more shortly
      }
      String owner = new String(claim.getValue(), java.nio.charset.StandardCharsets.UTF_8);
      if (d.deliveryCount() > 1) {
        if (owner.equals(me)) {
          return Admission.RUN; // this worker's own attempt timed out or was handed back
        }
        try {
          session.jobsKv.update(key, mine, claim.getRevision());
          LOG.log(Level.INFO, "job {0} (delivery {1}): worker {2} takes it over from {3}",
              id, d.deliveryCount(), me, owner);
          return Admission.RUN;
        } catch (JetStreamApiException e) {
          if (e.getApiErrorCode() == NatsSession.WRONG_LAST_SEQUENCE) {
            return Admission.LATER; // someone else took it over first
          }
          throw e;
        }
      }
      LOG.log(Level.INFO, "job {0} delivered again as new to worker {1} while claimed by {2}:"
          + " given back for one ack wait", id, me, owner.equals(me) ? "itself" : owner);
      return Admission.LATER;
    } catch (Exception e) {
      LOG.log(Level.DEBUG, "could not check job {0} before handing it out, given back: {1}", id,
          e.getMessage());
      return Admission.UNKNOWN;
    }
  }

  /** Whether the job has a result; if so its terminal event is made sure of and it is counted. */
  private boolean finished(NatsSession session, NatsDelivery d)
      throws IOException, JetStreamApiException {
    String prefix = NatsLayout.JOBS_KV_PREFIX + "responses." + d.jobId().value() + ".";
    io.nats.client.api.MessageInfo result = session.last(NatsLayout.JOBS_KV_STREAM, prefix + ">");
    if (result == null) {
      return false;
    }
    String rest = result.getSubject().substring(prefix.length()); // <worker>.<nanos>
    completeTerminalEvent(session, result);
    countSuppressed(session, d, rest.substring(0, rest.lastIndexOf('.')));
    return true;
  }

  /**
   * A worker writes a result, then the terminal event. If the connection broke between the two,
   * the result is stored and the event is not, and the worker hands the job back. The job is
   * finished all the same (its result says how), so the missing event is written here, from the
   * result: same worker, outcome and time, marked {@code recovered}. Its key is derived from the
   * result's, and {@code Nats-Msg-Id} is the key, so two workers doing this at once store it once.
   */
  private void completeTerminalEvent(NatsSession session, io.nats.client.api.MessageInfo stored)
      throws IOException, JetStreamApiException {
    JobResult r = Records.result(stored.getData());
    String key =
        NatsLayout.eventKey(r.jobId(), r.status().wire(), r.worker(), Records.nanos(r.time()));
    String workersEvents = key.substring(0, key.lastIndexOf('.') + 1); // any time
    if (session.last(NatsLayout.JOBS_KV_STREAM, NatsLayout.JOBS_KV_PREFIX + workersEvents + ">")
        != null) {
      return;
    }
    java.util.Map<String, String> data = new java.util.LinkedHashMap<>();
    data.put("recovered", "true");
    if (r.error() != null) {
      data.put("error", r.error());
    }
    // the store keys it as above, with Nats-Msg-Id = the key: written once however many do it
    try {
      backend
          .jobStore()
          .appendEvent(new StatusEvent(r.jobId(), r.status(), r.worker(), r.time(), data))
          .get(backend.settings().requestTimeout().multipliedBy(3).toMillis(),
              java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex) {
      throw new IOException("recording the " + r.status().wire() + " event of job " + r.jobId()
          + " failed", ex);
    } catch (InterruptedException ex) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", ex);
    }
    LOG.log(Level.INFO, "job {0}: recorded the {1} event of worker {2} that its result implies"
        + " (the worker lost its connection between the two)", r.jobId(), r.status().wire(),
        r.worker());
  }

  private void countSuppressed(NatsSession session, NatsDelivery d, String finisher) {
    String op = "other";
    try {
      io.nats.client.api.KeyValueEntry e = session.jobsKv.get(NatsLayout.jobKey(d.jobId()));
      if (e != null && e.getValue() != null) {
        op = Records.job(d.jobId(), e.getValue()).operation().type();
      }
    } catch (Exception e) {
      // the label only
    }
    metrics.jobRedelivered(op);
    LOG.log(
        Level.INFO,
        "job {0} delivered again (delivery {1}) to worker {2} but already finished by {3}:"
            + " acknowledged, not run again",
        d.jobId(),
        d.deliveryCount(),
        spec.workerId(),
        finisher);
  }

  private void poison(Message m) {
    LOG.log(
        Level.WARNING,
        "notification on {0} does not carry a job id; terminated",
        m.getSubject());
    try {
      m.term();
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "term failed: {0}", e.getMessage());
    }
    metrics.jobDeadLettered("other");
  }

  /** After the backend provisioned again (a reconnect), makes sure the durables still exist. */
  private void reopenIfReprovisioned(NatsSession session) {
    long e = backend.provisionEpoch();
    if (e == epoch) {
      return;
    }
    for (Source s : sources) {
      s.reopen(session);
      s.hot = true;
      if (s.shared) {
        unsubscribe(s);
        subscribe(session, s);
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
    for (Source s : sources) {
      if (s.shared) {
        unsubscribe(s);
        synchronized (bell) {
          s.arrived.forEach(w -> back.add(w.message));
          s.arrived.clear();
          s.pulls.clear();
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

  private void unsubscribe(Source s) {
    io.nats.client.JetStreamSubscription sub = s.sub;
    s.sub = null;
    if (sub != null) {
      try {
        doorbell.unsubscribe(sub);
      } catch (RuntimeException e) {
        LOG.log(Level.DEBUG, "unsubscribing from {0} failed: {1}", s.durable, e.getMessage());
      }
    }
  }

  /** An open pull request: deliveries still owed and when it expires. Guarded by bell. */
  private static final class Pull {
    int remaining;
    final long deadline;

    Pull(int remaining, long deadline) {
      this.remaining = remaining;
      this.deadline = deadline;
    }
  }

  /** A delivery from a shared durable not handed out yet. Guarded by bell. */
  private static final class Waiting {
    final Message message;
    long since;

    Waiting(Message message, long since) {
      this.message = message;
      this.since = since;
    }
  }

  /** One durable this worker pulls from. */
  static final class Source {
    final String durable;
    final String subject;
    final Duration ackWait;
    final int maxDeliver;
    final boolean shared;
    volatile ConsumerContext ctx;
    volatile boolean hot = true;
    volatile boolean broken;
    /** Shared durables only: the long-lived pull subscription and its books. */
    volatile io.nats.client.JetStreamSubscription sub;
    final java.util.ArrayDeque<Pull> pulls = new java.util.ArrayDeque<>();
    final java.util.ArrayDeque<Waiting> arrived = new java.util.ArrayDeque<>();

    private Source(
        String durable, String subject, Duration ackWait, int maxDeliver, boolean shared) {
      this.shared = shared;
      this.durable = durable;
      this.subject = subject;
      this.ackWait = ackWait;
      this.maxDeliver = maxDeliver;
    }

    /** Creates (or updates) the durable and binds to it; {@code shared} for the _any ones. */
    static Source open(
        NatsSession session,
        String durable,
        String subject,
        Duration ackWait,
        int maxDeliver,
        boolean shared)
        throws IOException, JetStreamApiException {
      Source s = new Source(durable, subject, ackWait, maxDeliver, shared);
      s.bind(session);
      return s;
    }

    private void bind(NatsSession session) throws IOException, JetStreamApiException {
      NatsSession.ensureConsumer(
          session.jsm,
          durable,
          subject,
          ackWait,
          maxDeliver,
          session.settings.maxAckPending(),
          true);
      ctx = session.js.getConsumerContext(NatsLayout.STREAM, durable);
      broken = false;
    }

    void reopen(NatsSession session) {
      try {
        bind(session);
      } catch (NatsConfigException e) {
        throw e;
      } catch (Exception e) {
        broken = true;
        throw NatsErrors.unavailable("re-opening consumer " + durable, e);
      }
    }
  }
}
