package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.TraceContext;
import io.nats.client.impl.Headers;
import io.osapi.core.port.Delivery;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link Delivery} backed by a JetStream message. The notification in its body is read on the
 * first call of {@link #notification()} (by the worker's thread, not the consumer's). Settling
 * sends the ack, nak, term or in-progress to the server without waiting for an answer (jnats
 * buffers it across a reconnect). On a closed connection it is logged and dropped rather than
 * thrown: the server delivers the job again after its ack wait, which is what an unsettled
 * delivery means anyway.
 */
final class NatsDelivery implements Delivery {
  private static final System.Logger LOG = System.getLogger(NatsDelivery.class.getName());
  private final Message message;
  private final int deliveryCount;
  private final long publishedNanos;
  private JobNotification notification;
  private CorruptRecordException unreadable;

  NatsDelivery(Message message) {
    this.message = message;
    AckMeta meta = ackMeta(message.getReplyTo());
    if (meta == null) {
      NatsJetStreamMetaData m = message.metaData();
      meta = new AckMeta(m.deliveredCount(), m.timestamp().toInstant().getEpochSecond()
          * 1_000_000_000L + m.timestamp().getNano());
    }
    this.deliveryCount = (int) Math.min(Integer.MAX_VALUE, meta.delivered());
    this.publishedNanos = meta.publishedNanos();
  }

  /**
   * What an ack subject says of a delivery.
   *
   * @param delivered the delivery count, from 1
   * @param publishedNanos when the message was stored, epoch nanoseconds
   */
  record AckMeta(long delivered, long publishedNanos) {}

  /**
   * The delivery count and the publish time (epoch nanoseconds) in an ack subject, {@code
   * $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<nanos>.<pending>} (or with
   * domain and account hash before the stream and a token after), read without splitting it or
   * making date objects; null for any other shape (then jnats reads it).
   */
  static AckMeta ackMeta(String reply) {
    if (reply == null || !reply.startsWith("$JS.ACK.")) {
      return null;
    }
    int[] dots = new int[12];
    int n = 0;
    for (int i = 0; i < reply.length() && n < dots.length; i++) {
      if (reply.charAt(i) == '.') {
        dots[n++] = i;
      }
    }
    int tokens = n + 1;
    int delivered; // index of the token holding the delivery count
    if (tokens == 8 || tokens == 9) {
      delivered = 4;
    } else if (tokens >= 11 && n < dots.length) {
      delivered = 6;
    } else {
      return null;
    }
    long count = Digits.parse(reply, dots[delivered - 1] + 1, dots[delivered]);
    int ts = delivered + 3;
    long nanos = Digits.parse(reply, dots[ts - 1] + 1, ts < n ? dots[ts] : reply.length());
    return count < 0 || nanos < 0 ? null : new AckMeta(count, nanos);
  }

  /**
   * {@inheritDoc}
   *
   * @throws CorruptRecordException when the body is not a notification (poison)
   */
  @Override
  public synchronized JobNotification notification() {
    if (notification == null && unreadable == null) {
      try {
        notification = Records.notification(message.getData()).withTrace(trace(message));
      } catch (CorruptRecordException e) {
        unreadable = new CorruptRecordException(
            "notification on " + message.getSubject() + ": " + e.getMessage(), e.getCause());
      }
    }
    if (unreadable != null) {
      throw unreadable;
    }
    return notification;
  }

  /** The trace context in the headers, or null (none, or not valid: the run starts a trace). */
  private static TraceContext trace(Message m) {
    Headers h = m.getHeaders();
    return h == null ? null : TraceContext.parse(h.getFirst(NatsHeaders.TRACEPARENT_HEADER),
        h.getFirst(NatsHeaders.TRACESTATE_HEADER));
  }

  @Override
  public String destination() {
    return message.getSubject();
  }

  /** The subject it was published on (for tests of the layout). */
  String subject() {
    return message.getSubject();
  }

  @Override
  public int deliveryCount() {
    return deliveryCount;
  }

  @Override
  public Instant publishedAt() {
    return Instant.ofEpochSecond(0, publishedNanos);
  }

  @Override
  public void ack() {
    send("ack", message::ack);
  }

  @Override
  public void nak(Duration delay) {
    if (delay == null || delay.isZero() || delay.isNegative()) {
      send("nak", message::nak);
    } else {
      send("nak", () -> message.nakWithDelay(delay));
    }
  }

  @Override
  public void term() {
    send("term", message::term);
  }

  @Override
  public void inProgress() {
    send("in-progress ack", message::inProgress);
  }

  private void send(String what, Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      // only a closed connection gets here; the server redelivers after the ack wait
      LOG.log(
          System.Logger.Level.WARNING,
          "{0} of the delivery on {1} could not be sent ({2}); the server will deliver it again"
              + " after the ack wait",
          what,
          message.getSubject(),
          NatsErrors.describe(e));
    }
  }

  @Override
  public String toString() {
    return "NatsDelivery[" + message.getSubject() + " #" + deliveryCount + "]";
  }
}
