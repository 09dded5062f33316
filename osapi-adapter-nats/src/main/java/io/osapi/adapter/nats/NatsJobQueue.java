package io.osapi.adapter.nats;

import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.PublishAck;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsJetStreamConstants;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.QueueBacklog;
import io.osapi.core.domain.Target;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import io.osapi.core.concurrent.Backoff;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * {@link JobQueue} on stream {@code JOBS}.
 *
 * <p>A notification is the whole {@link JobNotification} (see {@link Records}) published on {@link
 * NatsLayout#notificationSubject} ({@code jobs.<kind>.<target suffix>}) with header {@code Nats-Msg-Id} = job id (and the job's W3C trace context as {@code traceparent}
 * and {@code tracestate} when it was traced), so publishing the same job again within
 * the stream's duplicate window stores nothing new. Workers share durable pull consumers {@code
 * query_any} and {@code modify_any} (each {@code _any} job reaches one worker at a time) and have
 * durables of their own for {@code _all}, their host subject and every label prefix, created with
 * deliver policy new and their worker id in the description (see {@link NatsJobConsumer}).
 * Deliveries that run out are reported by {@link NatsExhaustedListener}. Deadlines of broadcast
 * jobs wait in stream {@code JOBS_DEADLINES} (see {@link NatsDeadlineListener}).
 */
final class NatsJobQueue implements JobQueue {
  private static final System.Logger LOG = System.getLogger(NatsJobQueue.class.getName());
  /** A publish whose outcome is unknown, tried again: 100 ms, doubling, at most 500 ms. */
  private static final Backoff PUBLISH_BACKOFF =
      new Backoff(Duration.ofMillis(100), Duration.ofMillis(500), 2, 0.2);

  private final NatsLink backend;
  private final Set<AutoCloseable> open = ConcurrentHashMap.newKeySet();
  /** Bodies the store made while writing the records ({@link NatsJobStore#create}). */
  private final NotificationBodies bodies;

  NatsJobQueue(NatsLink backend) {
    this(backend, new NotificationBodies());
  }

  NatsJobQueue(NatsLink backend, NotificationBodies bodies) {
    this.backend = backend;
    this.bodies = bodies;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asynchronous. While the connection that sent it stays up, a publish whose outcome is
   * unknown (no answer in time, JetStream unavailable during a fail-over) is sent again, with the
   * same {@code Nats-Msg-Id}, until twice the request timeout has passed; the retries run on
   * {@link NatsRetry}'s thread, never on jnats'.
   */
  @Override
  public CompletableFuture<Void> publish(JobNotification notification) {
    Job job = notification.job();
    String id = job.id().value();
    byte[] body = bodies.take(notification); // made with the record: the same bytes
    if (body == null) {
      try {
        body = Records.notification(notification);
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    WireHeaders h = new WireHeaders().put(NatsJetStreamConstants.MSG_ID_HDR,
        NatsLayout.notificationMessageId(notification));
    if (notification.trace() != null) {
      h.put(NatsHeaders.TRACEPARENT_HEADER, notification.trace().traceparent());
      if (notification.trace().tracestate() != null) {
        h.put(NatsHeaders.TRACESTATE_HEADER, notification.trace().tracestate());
      }
    }
    h.seal(); // published as they are, by every attempt
    CompletableFuture<Void> done = new CompletableFuture<>();
    long deadline =
        System.nanoTime() + backend.settings().requestTimeout().multipliedBy(2).toNanos();
    attempt(NatsLayout.notificationSubject(notification), h, body, id, deadline,
        backend.connectionEpoch(), 0, done);
    return done;
  }

  /** {@inheritDoc} The stream's duplicate window ({@link NatsSettings#duplicateWindow()}). */
  @Override
  public Duration deduplicationWindow() {
    return backend.settings().duplicateWindow();
  }

  private void attempt(String subject, Headers h, byte[] body, String id, long deadline,
      long epoch, int n, CompletableFuture<Void> done) {
    CompletableFuture<PublishAck> f;
    try {
      f = backend.requireSession().js.publishAsync(subject, h, body);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((ack, err) -> {
      if (err == null) {
        if (ack.isDuplicate()) {
          LOG.log(Level.DEBUG, "job {0} was published before; the stream kept one notification",
              id);
        }
        done.complete(null);
      } else if (NatsErrors.outcomeUnknown(err)
          && backend.isConnected()
          && backend.connectionEpoch() == epoch
          && System.nanoTime() < deadline) {
        long delay = PUBLISH_BACKOFF.delayMillis(n);
        LOG.log(Level.DEBUG, "publishing job {0}: retrying in {1} ms after {2}", id, delay,
            NatsErrors.describe(err));
        backend.retry().schedule(
            () -> attempt(subject, h, body, id, deadline, epoch, n + 1, done), delay);
      } else {
        // a refusal for want of room is definite: answered at once (507), never held
        done.completeExceptionally(NatsErrors.failure("publishing job " + id, err,
            NatsLimits.share(backend.settings(), subject.startsWith("jobs.")
                ? NatsLimits.NOTIFICATIONS_PERCENT : NatsLimits.DEADLINES_PERCENT)));
      }
    });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Published on {@code osapi.deadlines.<id>} with {@code Nats-Msg-Id} = {@code deadline.<id>},
   * retried like {@link #publish} while its outcome is unknown.
   */
  @Override
  public CompletableFuture<Void> scheduleDeadline(JobDeadline deadline) {
    byte[] body;
    try {
      body = ControlRecords.deadline(deadline);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    String id = deadline.job().value();
    Headers h =
        new WireHeaders().put(NatsJetStreamConstants.MSG_ID_HDR, "deadline." + id).seal();
    CompletableFuture<Void> done = new CompletableFuture<>();
    long until =
        System.nanoTime() + backend.settings().requestTimeout().multipliedBy(2).toNanos();
    attempt(NatsLayout.deadlineSubject(deadline.job()), h, body, id, until,
        backend.connectionEpoch(), 0, done);
    return done;
  }

  /** {@inheritDoc} Reads stream {@code JOBS_DEADLINES} through {@link NatsDeadlineListener}. */
  @Override
  public AutoCloseable onDeadline(Consumer<JobDeadline> handler) {
    SharedDurableListener l = NatsDeadlineListener.start(backend, handler, open::remove);
    open.add(l);
    return l;
  }

  @Override
  public JobConsumer consumer(ConsumerSpec spec) {
    NatsSession s = backend.requireSession();
    List<NatsDurable> durables = new ArrayList<>();
    try {
      for (OperationKind kind : OperationKind.values()) {
        String shared = NatsLayout.sharedSubject(kind);
        durables.add(NatsDurable.open(s, NatsLayout.sharedConsumer(kind), shared, true,
            NatsLayout.sharedDescription(shared), spec.ackWait(), spec.maxDeliver()));
        for (Target t : spec.ownTargets()) {
          String suffix = NatsLayout.suffix(t);
          String own = NatsLayout.ownSubject(kind, suffix);
          durables.add(NatsDurable.open(s, NatsLayout.ownConsumer(kind, spec.workerId(), suffix),
              own, false, NatsLayout.ownDescription(spec.workerId(), own), spec.ackWait(),
              spec.maxDeliver()));
        }
      }
    } catch (NatsConfigException e) {
      throw e;
    } catch (Exception e) {
      throw NatsErrors.unavailable("opening the consumers of worker " + spec.workerId(), e);
    }
    NatsJobConsumer c;
    try {
      c = new NatsJobConsumer(backend, spec, durables, open::remove);
    } catch (RuntimeException e) {
      throw NatsErrors.unavailable("opening the consumers of worker " + spec.workerId(), e);
    }
    open.add(c);
    LOG.log(Level.DEBUG, "worker {0} consumes from {1} durables", spec.workerId(),
        durables.size());
    return c;
  }

  @Override
  public QueueBacklog backlog() {
    NatsSession s = backend.requireSession();
    long pending = 0;
    long ackPending = 0;
    try {
      for (OperationKind kind : OperationKind.values()) {
        ConsumerInfo ci = s.jsm.getConsumerInfo(NatsLayout.STREAM, NatsLayout.sharedConsumer(kind));
        pending += ci.getNumPending();
        ackPending += ci.getNumAckPending();
      }
    } catch (Exception e) {
      throw NatsErrors.unavailable("reading the queue backlog", e);
    }
    return new QueueBacklog(pending, ackPending);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Reads stream {@code JOBS_ADVISORIES} through its one durable, shared by every process that
   * subscribes, on a thread of its own (the handler may block on the store).
   */
  @Override
  public AutoCloseable onExhausted(Consumer<ExhaustedDelivery> handler) {
    SharedDurableListener l = NatsExhaustedListener.start(backend, handler, open::remove);
    open.add(l);
    return l;
  }

  /** Closes every consumer and listener still open (the backend is closing). */
  void closeAll() {
    for (AutoCloseable c : List.copyOf(open)) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing {0} failed: {1}", c, e.getMessage());
      }
    }
  }
}
