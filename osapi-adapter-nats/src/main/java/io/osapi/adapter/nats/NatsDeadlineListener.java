package io.osapi.adapter.nats;

import io.nats.client.ConsumerContext;
import io.nats.client.FetchConsumeOptions;
import io.nats.client.FetchConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobDeadline;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Hands due deadlines of broadcast jobs to a handler. The deadlines wait in work-queue stream
 * {@code JOBS_DEADLINES}, one message per job, read through one durable shared by every
 * subscribed process (the controllers), so each deadline reaches one of them at a time. The timer
 * is JetStream's own: a deadline delivered before it is due is nak'd with a delay of the time left
 * (at most {@link #MAX_DELAY}, then looked at again), and nats-server delivers it again then. A
 * handler that returns acknowledges it, which removes it from the stream; one that throws gets it
 * again after {@link #RETRY_DELAY}. A restarted controller, or another one, finds every deadline
 * still waiting where it was.
 *
 * <p>A naked message stays pending on the durable until it is delivered again, so the durable's
 * max ack pending is unlimited: every broadcast job inside its timeout holds one.
 */
final class NatsDeadlineListener implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(NatsDeadlineListener.class.getName());
  private static final Duration ACK_WAIT = Duration.ofSeconds(30);
  private static final Duration RETRY_DELAY = Duration.ofSeconds(5);
  /** Longest single wait, so a deadline is looked at again at least this often. */
  static final Duration MAX_DELAY = Duration.ofHours(1);
  private static final int BATCH = 64;
  private static final long FETCH_WAIT_MS = 1_000;

  private final NatsBackend backend;
  private final Consumer<JobDeadline> handler;
  private final Consumer<NatsDeadlineListener> onClose;
  private final Thread thread;
  private volatile boolean closed;

  NatsDeadlineListener(NatsBackend backend, Consumer<JobDeadline> handler,
      Consumer<NatsDeadlineListener> onClose) {
    this.backend = backend;
    this.handler = handler;
    this.onClose = onClose;
    this.thread = new Thread(this::run, "osapi-nats-deadlines");
    thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void run() {
    ConsumerContext ctx = null;
    long epoch = -1;
    while (!closed) {
      try {
        if (!backend.isReady()) {
          Thread.sleep(250);
          continue;
        }
        NatsSession s = backend.requireSession();
        if (ctx == null || epoch != backend.provisionEpoch()) {
          epoch = backend.provisionEpoch();
          ensureDurable(s.jsm);
          ctx = s.js.getConsumerContext(NatsLayout.DEADLINE_STREAM, NatsLayout.DEADLINE_CONSUMER);
        }
        try (FetchConsumer fc = ctx.fetch(FetchConsumeOptions.builder().maxMessages(BATCH)
            .expiresIn(FETCH_WAIT_MS).build())) {
          Message m;
          while (!closed && (m = fc.nextMessage()) != null) {
            handle(m);
          }
        }
      } catch (InterruptedException e) {
        break;
      } catch (Exception e) {
        ctx = null;
        if (!closed) {
          LOG.log(Level.DEBUG, "reading job deadlines, trying again: {0}", NatsErrors.describe(e));
          try {
            Thread.sleep(1_000);
          } catch (InterruptedException ie) {
            break;
          }
        }
      }
    }
  }

  private static void ensureDurable(JetStreamManagement jsm)
      throws IOException, JetStreamApiException {
    try {
      jsm.getConsumerInfo(NatsLayout.DEADLINE_STREAM, NatsLayout.DEADLINE_CONSUMER);
      return;
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NatsSession.CONSUMER_NOT_FOUND) {
        throw e;
      }
    }
    jsm.addOrUpdateConsumer(NatsLayout.DEADLINE_STREAM, ConsumerConfiguration.builder()
        .durable(NatsLayout.DEADLINE_CONSUMER)
        .description("osapi: deadlines of broadcast jobs, shared by the controllers")
        .ackPolicy(AckPolicy.Explicit)
        .deliverPolicy(DeliverPolicy.All)
        .ackWait(ACK_WAIT)
        .maxDeliver(-1)
        .maxAckPending(-1)
        .build());
  }

  private void handle(Message m) {
    JobDeadline d;
    try {
      d = Records.deadline(m.getData());
    } catch (CorruptRecordException e) {
      LOG.log(Level.WARNING, "dropping an unreadable deadline on {0}: {1}", m.getSubject(),
          e.getMessage());
      m.term();
      return;
    }
    Duration left = Duration.between(Instant.now(), d.at());
    if (left.compareTo(Duration.ofMillis(5)) > 0) {
      m.nakWithDelay(left.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : left);
      return;
    }
    try {
      handler.accept(d);
    } catch (RuntimeException ex) {
      LOG.log(Level.WARNING, "handling the deadline of job {0} failed, trying again in {1}: {2}",
          d.job(), RETRY_DELAY, ex.toString());
      m.nakWithDelay(RETRY_DELAY);
      return;
    }
    m.ack();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    onClose.accept(this);
  }

  @Override
  public String toString() {
    return "NatsDeadlineListener[" + NatsLayout.DEADLINE_CONSUMER + "]";
  }
}
