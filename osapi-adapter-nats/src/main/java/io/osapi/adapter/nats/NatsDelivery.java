package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.nats.client.impl.NatsJetStreamMetaData;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.port.Delivery;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@link Delivery} backed by a JetStream message. Settling sends the ack, nak, term or
 * in-progress to the server without waiting for an answer (jnats buffers it across a reconnect).
 * On a closed connection it is logged and dropped rather than thrown: the server delivers the job
 * again after its ack wait, which is what an unsettled delivery means anyway.
 */
final class NatsDelivery implements Delivery {
  private static final System.Logger LOG = System.getLogger(NatsDelivery.class.getName());
  private final Message message;
  private final JobId jobId;
  private final int deliveryCount;
  private final Instant publishedAt;
  private final boolean fresh;
  private volatile java.util.function.BooleanSupplier held = () -> true;

  private NatsDelivery(
      Message message, JobId jobId, int deliveryCount, Instant publishedAt, boolean fresh) {
    this.message = message;
    this.jobId = jobId;
    this.deliveryCount = deliveryCount;
    this.publishedAt = publishedAt;
    this.fresh = fresh;
  }

  /**
   * The delivery of {@code m}, or null when its body is not a job id (poison). It is {@link
   * #fresh()} when it is a first delivery of a notification with a stream sequence above {@code
   * freshAfter} (the stream's last sequence when this connection last came up, see {@link
   * NatsBackend#freshAfter()}).
   */
  static NatsDelivery of(Message m, long freshAfter) {
    JobId id;
    try {
      byte[] data = m.getData();
      id = JobId.parse(data == null ? null : new String(data, StandardCharsets.UTF_8).trim());
    } catch (InvalidInputException e) {
      return null;
    }
    NatsJetStreamMetaData meta = m.metaData();
    int count = (int) Math.min(Integer.MAX_VALUE, meta.deliveredCount());
    return new NatsDelivery(
        m, id, count, meta.timestamp().toInstant(),
        count == 1 && meta.streamSequence() > freshAfter);
  }

  @Override
  public JobId jobId() {
    return jobId;
  }

  @Override
  public String subject() {
    return message.getSubject();
  }

  @Override
  public int deliveryCount() {
    return deliveryCount;
  }

  @Override
  public Instant publishedAt() {
    return publishedAt;
  }

  @Override
  public boolean fresh() {
    return fresh;
  }

  /** Sets how {@link #stillHeld()} finds out (a claim look-up for the shared durables). */
  NatsDelivery heldWhile(java.util.function.BooleanSupplier check) {
    this.held = check;
    return this;
  }

  @Override
  public boolean stillHeld() {
    return held.getAsBoolean();
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
          "{0} of job {1} could not be sent ({2}); the server will deliver it again after the ack"
              + " wait",
          what,
          jobId,
          NatsErrors.describe(e));
    }
  }

  @Override
  public String toString() {
    return "NatsDelivery[" + jobId + " on " + message.getSubject() + " #" + deliveryCount + "]";
  }
}
