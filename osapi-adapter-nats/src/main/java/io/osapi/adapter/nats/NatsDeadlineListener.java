package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobDeadline;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Hands due deadlines of broadcast jobs to a handler. The deadlines wait in work-queue stream
 * {@code JOBS_DEADLINES}, one message per job, read through one durable shared by every
 * subscribed process (the controllers), so each deadline reaches one of them at a time. The timer
 * is JetStream's own: a deadline delivered before it is due is nak'd with a delay of the time left
 * (at most {@link #MAX_DELAY}, then looked at again), and nats-server delivers it again then. Due
 * deadlines are handled {@link #THREADS} at a time. A handler that returns acknowledges it, which
 * removes it from the stream; one that throws an outage gets it again later, one that throws a
 * permanent error drops it (see {@link HandlerFailures}). A restarted controller, or another one,
 * finds every deadline still waiting where it was.
 *
 * <p>A naked message stays pending on the durable until it is delivered again, so the durable's
 * max ack pending is unlimited: every broadcast job inside its timeout holds one.
 */
final class NatsDeadlineListener implements SharedDurableListener.MessageHandler {
  private static final System.Logger LOG = System.getLogger(NatsDeadlineListener.class.getName());
  private static final Duration ACK_WAIT = Duration.ofSeconds(30);
  /** Longest single wait, so a deadline is looked at again at least this often. */
  static final Duration MAX_DELAY = Duration.ofHours(1);
  private static final int BATCH = 64;
  /** Deadlines handled at the same time, so one slow job never holds up the others. */
  static final int THREADS = 4;

  private final Consumer<JobDeadline> handler;

  private NatsDeadlineListener(Consumer<JobDeadline> handler) {
    this.handler = handler;
  }

  /** Starts handing due deadlines to {@code handler}; closing the result stops it. */
  static SharedDurableListener start(NatsLink backend, Consumer<JobDeadline> handler,
      Consumer<SharedDurableListener> onClose) {
    SharedDurableListener l = new SharedDurableListener(backend, NatsLayout.DEADLINE_STREAM,
        ConsumerConfiguration.builder()
            .durable(NatsLayout.DEADLINE_CONSUMER)
            .description("osapi: deadlines of broadcast jobs, shared by the controllers")
            .ackPolicy(AckPolicy.Explicit)
            .deliverPolicy(DeliverPolicy.All)
            .ackWait(ACK_WAIT)
            .maxDeliver(-1)
            .maxAckPending(-1)
            .build(),
        BATCH, THREADS, "deadlines", new NatsDeadlineListener(handler), onClose);
    l.start();
    return l;
  }

  @Override
  public void handle(NatsSession s, Message m) {
    JobDeadline d;
    try {
      d = ControlRecords.deadline(m.getData());
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
      HandlerFailures.settle(LOG, m, "the deadline of job " + d.job(), ex);
      return;
    }
    m.ack();
  }
}
