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
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Names;
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
 * Osapi-State}, {@code -Updated}, {@code -Worker}) are all a listing needs; KV purge markers are deletes (osapi
 * deletes jobs with them, so every watcher sees the delete).
 *
 * <p>The replay is complete when a message says nothing is pending after it, or when the consumer
 * says nothing was pending at all. Until the backend is ready the watch tries to start every 500
 * ms. The consumer is an ordered one, kept in the server's memory: a restarted server has lost it,
 * and jnats' ordered consumer would only recreate it once its heartbeat alarm fired (three missed
 * 5 s heartbeats: 15 to 30 s in which the index misses every write). So after each reconnect
 * (each new {@link NatsLink#provisionEpoch()}, checked every 500 ms) the watch makes a new
 * consumer itself, from the stream sequence after the last one it applied: no replay, and a
 * message at or below that sequence (from the old consumer) is not applied again. jnats' alarm
 * still covers a consumer lost without a reconnect (a change of stream leader).
 */
final class NatsJobWatch implements JobWatch {
  private static final System.Logger LOG = System.getLogger(NatsJobWatch.class.getName());
  private static final long RETRY_MS = 500;

  private final NatsLink backend;
  private final Listener listener;
  private final Object lock = new Object();
  /** Held while a message is applied (a replaced consumer's dispatcher may still run). */
  private final Object applying = new Object();
  private Dispatcher dispatcher; // guarded by lock
  private JetStreamSubscription sub; // guarded by lock
  /** Grows with each subscription; a message of an older one is not applied. */
  private volatile int generation;
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
  /** The provisioning the subscription was made in; guarded by lock. */
  private long epoch = -1;

  NatsJobWatch(NatsLink backend, Listener listener) {
    this.backend = backend;
    this.listener = listener;
  }

  /** Starts now, or keeps trying in the background until the backend is ready. */
  void start() {
    if (tryStart()) {
      backend.retry().schedule(this::follow, RETRY_MS);
    } else {
      backend.retry().schedule(this::start, RETRY_MS);
    }
  }

  /** Every 500 ms: after a reconnect, a new consumer from the next sequence (see the class). */
  private void follow() {
    synchronized (lock) {
      if (closed || backend.isGone()) {
        return;
      }
      if (backend.isReady() && backend.provisionEpoch() != epoch) {
        resume();
      }
    }
    backend.retry().schedule(this::follow, RETRY_MS);
  }

  /** Replaces the consumer with one from the sequence after the last applied. Holds lock. */
  private void resume() {
    Dispatcher old = dispatcher;
    NatsSession s;
    try {
      s = backend.requireSession();
    } catch (RuntimeException e) {
      return;
    }
    if (old != null) {
      try {
        s.conn.closeDispatcher(old);
      } catch (RuntimeException ignored) {
        // closed with the connection
      }
      dispatcher = null;
      sub = null;
    }
    subscribe(s, lastSeq + 1);
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
      return subscribe(s, 0);
    }
  }

  /**
   * Subscribes from stream sequence {@code from} (0: from the first). Holds lock.
   *
   * @return whether it did; when not, {@link #epoch} is left as it was, to try again
   */
  private boolean subscribe(NatsSession s, long from) {
    long at = backend.provisionEpoch();
    Dispatcher d = s.conn.createDispatcher();
    try {
      long last = s.jsm.getStreamInfo(NatsLayout.JOBS_KV_STREAM).getStreamState()
          .getLastSequence();
      int gen;
      synchronized (applying) {
        gen = ++generation; // from here on, the old consumer's messages are not applied
        if (from > last + 1) {
          // the server came back without the stream's tail (acknowledged writes lost with it):
          // its sequences are taken again, so follow from its end
          LOG.log(Level.WARNING, "the job bucket''s stream ends at sequence {0}, before the {1}"
              + " this controller had read: writes were lost; following from its end",
              last, from - 1);
          from = last + 1;
          lastSeq = last;
        }
        if (!caughtUp) {
          handled = 0; // counted by the new consumer's sequence
          targetDelivered = -1;
        }
      }
      ConsumerConfiguration.Builder cb = ConsumerConfiguration.builder()
          .ackPolicy(AckPolicy.None)
          .headersOnly(true)
          .filterSubject(NatsLayout.JOBS_KV_ALL);
      if (from > 1) {
        cb.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(from);
      } else {
        cb.deliverPolicy(DeliverPolicy.All);
      }
      PushSubscribeOptions pso = PushSubscribeOptions.builder()
          .stream(NatsLayout.JOBS_KV_STREAM).ordered(true).configuration(cb.build()).build();
      JetStreamSubscription js = s.js.subscribe(null, d, m -> onMessage(m, gen), false, pso);
      sub = js;
      dispatcher = d;
      epoch = at;
      ConsumerInfo ci = js.getConsumerInfo();
      if (!caughtUp) { // the replay was not done: it ends at the stream's last message now
        target = last;
        if (ci.getNumPending() == 0) {
          targetDelivered = ci.getDelivered().getConsumerSequence();
        }
        checkTarget();
      }
      listener.behind(ci.getNumPending());
      LOG.log(Level.DEBUG, "watching bucket {0} from sequence {1}: {2} messages to read",
          NatsLayout.JOBS_BUCKET, Math.max(1, from), ci.getNumPending());
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

  private void onMessage(Message m, int gen) {
    synchronized (applying) {
      try {
        if (gen != generation) {
          return; // a replaced consumer's: its successor delivers what it had not applied
        }
        NatsJetStreamMetaData md = m.metaData();
        if (md.streamSequence() <= lastSeq) {
          return; // applied already, from the consumer this one replaced
        }
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
  }

  private void apply(Message m, NatsJetStreamMetaData md) {
    String subject = m.getSubject();
    Headers h = m.getHeaders();
    String op = h == null ? null : h.getFirst(NatsHeaders.KV_OPERATION_HEADER);
    boolean deleted = op != null && !op.equals("PUT");
    JobId job = NatsLayout.jobOfRecordSubject(subject);
    if (job != null) {
      if (deleted) {
        listener.recordDeleted(job);
      } else if (!osapis(job, h)) {
        LOG.log(Level.WARNING, "job watch: {0} holds no job of osapi (no {1} header and not a"
            + " version 7 id); not listed", subject, NatsHeaders.CREATED_HEADER);
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
    String state = h == null ? null : h.getFirst(NatsHeaders.STATE_HEADER);
    RunState s = state == null ? null : NatsJobStore.state(state);
    if (s != null) {
      listener.runWritten(run, s, worker(h.getFirst(NatsHeaders.WORKER_HEADER)),
          number(h.getFirst(NatsHeaders.UPDATED_HEADER)));
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

  /**
   * Whether a record is a job osapi wrote: one with its headers, or (written before the headers
   * existed) one whose id is a version 7 UUID, as every job id is. Anything else in the bucket
   * (another writer's value) is no job: listing it would show a job "submitted" for ever, its
   * creation read from random bits, and keep the queue's oldest age at decades.
   */
  private static boolean osapis(JobId job, Headers h) {
    if (h != null && h.getFirst(NatsHeaders.CREATED_HEADER) != null) {
      return true;
    }
    try {
      return UUID.fromString(job.value()).version() == 7;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /** A record's facts from its headers; a record written without them lists what its id says. */
  private static JobWatch.RecordFacts facts(JobId job, Headers h) {
    long created = number(h.getFirst(NatsHeaders.CREATED_HEADER));
    if (created == 0) {
      created = (UUID.fromString(job.value()).getMostSignificantBits() >>> 16) * 1_000_000L;
    }
    long updated = Math.max(created, number(h.getFirst(NatsHeaders.UPDATED_HEADER)));
    return new JobWatch.RecordFacts(count(h.getFirst(NatsHeaders.EXPECTED_HEADER)),
        text(h.getFirst(NatsHeaders.OPERATION_HEADER)), text(h.getFirst(NatsHeaders.TARGET_HEADER)),
        created, updated);
  }

  /** A run's worker from its header: null when absent or no valid worker id. */
  private static String worker(String header) {
    if (header == null) {
      return null;
    }
    try {
      return Names.requireWorkerId("worker", header);
    } catch (InvalidInputException e) {
      return null;
    }
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
