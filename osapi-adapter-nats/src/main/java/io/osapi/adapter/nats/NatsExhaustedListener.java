package io.osapi.adapter.nats;

import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.MessageInfo;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.OperationKind;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Reports notifications whose deliveries ran out, from the max-deliveries advisories that
 * nats-server publishes for the consumers of stream {@code JOBS} and stream {@code
 * JOBS_ADVISORIES} keeps. One durable on that stream is shared by every subscribed process, so each
 * advisory reaches one of them; advisories are handled a few at a time; a handler that returns
 * acknowledges it, one that throws is settled by {@link HandlerFailures} (an outage: again later;
 * a permanent error: dropped).
 *
 * <p>An advisory names the consumer and the stream sequence of the notification: the notification
 * is read from {@code JOBS} by that sequence (gone when it aged out: logged and dropped), and the
 * worker is the one named in the description of its own durable (none for the shared {@code _any}
 * durables).
 *
 * <p>nats-server sends the advisory when a delivery's ack wait ran out on the last allowed delivery
 * and the consumer looks for the next message to deliver, which for a pull consumer needs a
 * waiting pull request: a worker's own durable is only pulled by that worker.
 */
final class NatsExhaustedListener implements SharedDurableListener.MessageHandler {
  private static final System.Logger LOG = System.getLogger(NatsExhaustedListener.class.getName());
  private static final Duration ACK_WAIT = Duration.ofSeconds(30);
  private static final int BATCH = 16;

  private final Consumer<ExhaustedDelivery> handler;
  /** Worker ids of own durables, by durable name: descriptions do not change. */
  private final Map<String, String> workers = new ConcurrentHashMap<>();

  private NatsExhaustedListener(Consumer<ExhaustedDelivery> handler) {
    this.handler = handler;
  }

  /** Starts handing exhausted deliveries to {@code handler}; closing the result stops it. */
  static SharedDurableListener start(NatsLink backend, Consumer<ExhaustedDelivery> handler,
      Consumer<SharedDurableListener> onClose) {
    SharedDurableListener l = new SharedDurableListener(backend, NatsLayout.ADVISORY_STREAM,
        ConsumerConfiguration.builder()
            .durable(NatsLayout.ADVISORY_CONSUMER)
            .description("osapi: exhausted deliveries of " + NatsLayout.STREAM
                + ", shared by the controllers")
            .ackPolicy(AckPolicy.Explicit)
            .deliverPolicy(DeliverPolicy.All)
            .ackWait(ACK_WAIT)
            .maxDeliver(-1)
            .build(),
        BATCH, NatsDeadlineListener.THREADS, "exhausted deliveries",
        new NatsExhaustedListener(handler), onClose);
    l.start();
    return l;
  }

  @Override
  public void handle(NatsSession s, Message m) throws IOException, JetStreamApiException {
    ControlRecords.Advisory a = ControlRecords.advisory(m.getData());
    if (a == null || !NatsLayout.STREAM.equals(a.stream())) {
      LOG.log(Level.WARNING, "dropping an advisory on {0} that is not a max-deliveries advisory"
          + " of stream {1}", m.getSubject(), NatsLayout.STREAM);
      m.term();
      return;
    }
    MessageInfo mi;
    try {
      mi = s.jsm.getMessage(NatsLayout.STREAM, a.streamSeq());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NatsSession.NO_MESSAGE_FOUND) {
        throw e;
      }
      mi = null;
    }
    if (mi == null) {
      LOG.log(Level.WARNING, "deliveries of notification {0} ran out on consumer {1}, but it is no"
          + " longer in stream {2}: nothing to report", a.streamSeq(), a.consumer(),
          NatsLayout.STREAM);
      m.ack();
      return;
    }
    JobNotification n;
    try {
      n = Records.notification(mi.getData());
    } catch (CorruptRecordException e) {
      LOG.log(Level.WARNING, "deliveries of an unreadable notification ran out on consumer {0}:"
          + " {1}", a.consumer(), e.getMessage());
      m.ack();
      return;
    }
    String worker = null;
    if (!NatsLayout.isSharedConsumer(a.consumer())) {
      worker = workerOf(s, a.consumer(), n);
      if (worker == null || !n.expects(worker)) {
        LOG.log(Level.WARNING, "deliveries of job {0} ran out on consumer {1}, which belongs to no"
            + " expected worker of the job: nothing to report", n.job().id(), a.consumer());
        m.ack();
        return;
      }
    }
    ExhaustedDelivery e = new ExhaustedDelivery(n.job().id(), worker, a.deliveries());
    try {
      handler.accept(e);
    } catch (RuntimeException ex) {
      HandlerFailures.settle(LOG, m, e, ex);
      return;
    }
    m.ack();
  }

  /**
   * The worker of an own durable: from its description, or (a durable made by an older osapi, or
   * gone meanwhile) the one expected worker whose durable names begin like it; null when that does
   * not tell.
   */
  private String workerOf(NatsSession s, String consumer, JobNotification n)
      throws IOException, JetStreamApiException {
    String w = workers.get(consumer);
    if (w != null) {
      return w;
    }
    try {
      ConsumerInfo ci = s.jsm.getConsumerInfo(NatsLayout.STREAM, consumer);
      w = NatsLayout.workerOfDescription(ci.getConsumerConfiguration().getDescription());
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != NatsSession.CONSUMER_NOT_FOUND) {
        throw e;
      }
    }
    if (w == null) {
      for (String candidate : n.expected()) {
        for (OperationKind kind : OperationKind.values()) {
          if (consumer.startsWith(NatsLayout.ownConsumerPrefix(kind, candidate))) {
            if (w != null && !w.equals(candidate)) {
              return null; // two workers whose ids sanitise alike
            }
            w = candidate;
          }
        }
      }
    }
    if (w != null) {
      workers.put(consumer, w);
    }
    return w;
  }
}
