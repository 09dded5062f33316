package io.osapi.adapter.nats;

import io.nats.client.Dispatcher;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.impl.Headers;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobWatch;
import java.lang.System.Logger.Level;
import java.util.UUID;

/**
 * A {@link JobWatch} on bucket {@code osapi-jobs}: one ordered push consumer over every key,
 * headers only, from the stream's first message (the replay) on, then every new write. Deliver
 * policy all, not last-per-subject: the bucket keeps one message per key ({@code jobsHistory} 1),
 * so both replay the same messages, but nats-server 2.9 computes last-per-subject over every
 * subject before it delivers anything (minutes at 2,000,000 keys, with requests timing out
 * meanwhile), while "all" is a sequential read. With more history, older revisions are replayed
 * first and overwritten by the newer ones in stream order. Record headers ({@code Osapi-Expected},
 * {@code -Operation}, {@code -Target}, {@code -Created}, {@code -Updated}) and run headers ({@code
 * Osapi-State}, {@code -Updated}) are all a listing needs; KV purge markers are deletes (osapi
 * deletes jobs with them, so every watcher sees the delete).
 *
 * <p>The replay is complete when a message says nothing is pending after it, or when the consumer
 * says nothing was pending at all. jnats' ordered consumer survives reconnects and a change of
 * stream leader by itself: it recreates the consumer at the next stream sequence, so nothing is
 * missed or delivered twice. Until the backend is ready the watch tries to start every 500 ms.
 */
final class NatsJobWatch implements JobWatch {
  private static final System.Logger LOG = System.getLogger(NatsJobWatch.class.getName());
  private static final long RETRY_MS = 500;

  private final NatsLink backend;
  private final Listener listener;
  private final Object lock = new Object();
  private Dispatcher dispatcher; // guarded by lock
  private JetStreamSubscription sub; // guarded by lock
  private boolean closed; // guarded by lock
  private volatile boolean caughtUp;
  /** Caught up once this stream sequence is seen: the stream's last at the start. */
  private volatile long target = -1;
  /**
   * Caught up once this many messages were handled: what the consumer had delivered when it
   * first said nothing was pending (a purged or expired tail has no last message to wait for).
   */
  private volatile long targetDelivered = -1;
  private volatile long lastSeq;
  private volatile long handled;
  private String lastError;

  NatsJobWatch(NatsLink backend, Listener listener) {
    this.backend = backend;
    this.listener = listener;
  }

  /** Starts now, or keeps trying in the background until the backend is ready. */
  void start() {
    if (!tryStart()) {
      backend.retry().schedule(this::start, RETRY_MS);
    }
  }

  private boolean tryStart() {
    synchronized (lock) {
      if (closed || backend.isGone()) {
        return true;
      }
      if (!backend.isReady()) {
        return false;
      }
      NatsSession s;
      try {
        s = backend.requireSession();
      } catch (RuntimeException e) {
        return false;
      }
      Dispatcher d = s.conn.createDispatcher();
      try {
        long last = s.jsm.getStreamInfo(NatsLayout.JOBS_KV_STREAM).getStreamState()
            .getLastSequence();
        ConsumerConfiguration cc = ConsumerConfiguration.builder()
            .ackPolicy(AckPolicy.None)
            .deliverPolicy(DeliverPolicy.All)
            .headersOnly(true)
            .filterSubject(NatsLayout.JOBS_KV_ALL)
            .build();
        PushSubscribeOptions pso = PushSubscribeOptions.builder()
            .stream(NatsLayout.JOBS_KV_STREAM).ordered(true).configuration(cc).build();
        sub = s.js.subscribe(null, d, this::onMessage, false, pso);
        dispatcher = d;
        ConsumerInfo ci = sub.getConsumerInfo();
        target = last;
        if (ci.getNumPending() == 0) {
          targetDelivered = ci.getDelivered().getConsumerSequence();
        }
        checkTarget();
        LOG.log(Level.DEBUG, "watching bucket {0}: {1} keys to replay", NatsLayout.JOBS_BUCKET,
            ci.getNumPending());
        return true;
      } catch (Exception e) {
        String msg = NatsErrors.describe(e);
        if (!msg.equals(lastError)) {
          LOG.log(Level.WARNING, "cannot watch the job bucket yet, trying again: {0}", msg);
        }
        lastError = msg;
        try {
          s.conn.closeDispatcher(d);
        } catch (RuntimeException ignored) {
          // closed meanwhile
        }
        sub = null;
        return false;
      }
    }
  }

  private void onMessage(Message m) {
    try {
      NatsJetStreamMetaData md = m.metaData();
      apply(m, md);
      lastSeq = md.streamSequence();
      handled = md.consumerSequence();
      long pending = md.pendingCount();
      listener.behind(pending);
      if (!caughtUp && pending == 0) {
        caughtUp();
      }
      checkTarget();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "job watch: skipping message on {0}: {1}", m.getSubject(),
          e.toString());
    }
  }

  private void apply(Message m, NatsJetStreamMetaData md) {
    String subject = m.getSubject();
    Headers h = m.getHeaders();
    String op = h == null ? null : h.getFirst(NatsLayout.KV_OPERATION_HEADER);
    boolean deleted = op != null && !op.equals("PUT");
    JobId job = NatsLayout.jobOfRecordSubject(subject);
    if (job != null) {
      if (deleted) {
        listener.recordDeleted(job);
      } else {
        long written = md.timestamp().toInstant().toEpochMilli();
        listener.recordWritten(job, facts(job, h), written);
      }
      return;
    }
    RunKey run = NatsLayout.runOfSubject(subject);
    if (run == null) {
      return;
    }
    if (deleted) {
      listener.runDeleted(run);
      return;
    }
    String state = h == null ? null : h.getFirst(NatsLayout.STATE_HEADER);
    RunState s = state == null ? null : NatsJobStore.state(state);
    if (s != null) {
      listener.runWritten(run, s,
          number(h.getFirst(NatsLayout.UPDATED_HEADER)));
    }
  }

  private void checkTarget() {
    long t = target;
    long d = targetDelivered;
    if (!caughtUp && ((t >= 0 && lastSeq >= t) || (d >= 0 && handled >= d))) {
      caughtUp();
    }
  }

  private synchronized void caughtUp() {
    if (!caughtUp) {
      caughtUp = true;
      listener.behind(0);
      listener.caughtUp();
      LOG.log(Level.DEBUG, "job watch caught up at stream sequence {0}", lastSeq);
    }
  }

  /** A record's facts from its headers; a record written without them lists what its id says. */
  private static JobWatch.RecordFacts facts(JobId job, Headers h) {
    long created = number(h.getFirst(NatsLayout.CREATED_HEADER));
    if (created == 0) {
      created = (UUID.fromString(job.value()).getMostSignificantBits() >>> 16) * 1_000_000L;
    }
    long updated = Math.max(created, number(h.getFirst(NatsLayout.UPDATED_HEADER)));
    return new JobWatch.RecordFacts(count(h.getFirst(NatsLayout.EXPECTED_HEADER)),
        text(h.getFirst(NatsLayout.OPERATION_HEADER)), text(h.getFirst(NatsLayout.TARGET_HEADER)),
        created, updated);
  }

  private static String text(String header) {
    return header == null ? "" : header;
  }

  private static long number(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Long.parseLong(header);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static int count(String header) {
    if (header == null) {
      return 0;
    }
    try {
      return Math.max(0, Integer.parseInt(header));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (dispatcher != null) {
        try {
          backend.requireSession().conn.closeDispatcher(dispatcher);
        } catch (RuntimeException ignored) {
          // the connection is gone: nothing to close
        }
        dispatcher = null;
        sub = null;
      }
    }
  }
}
