package io.osapi.core.port;

import io.osapi.core.domain.JobId;
import java.time.Duration;
import java.time.Instant;

/** One delivery of a job notification, to be settled exactly once by ack, nak or term. */
public interface Delivery {

  /** The job the notification is for. */
  JobId jobId();

  /** The subject it was published on. */
  String subject();

  /** 1 for the first delivery, more for redeliveries. */
  int deliveryCount();

  /** When the notification was published. */
  Instant publishedAt();

  /**
   * True when the queue knows that this is the notification's first delivery and not a replay of
   * one handed out before (for example: published after the queue's connection last came up, so a
   * server restart cannot have delivered it before). A worker then skips its look-up for an
   * earlier finished run. False when the queue cannot tell, which is the default and always safe.
   */
  default boolean fresh() {
    return false;
  }

  /**
   * Whether this worker still holds the job: false once the queue has handed it to another worker
   * (its ack wait ran out, or a restarted server delivered it again). A worker that could not
   * record an outcome writes it again only while it holds the job. True when the queue cannot
   * tell (the default).
   */
  default boolean stillHeld() {
    return true;
  }

  /** Done: never deliver again. */
  void ack();

  /** Not done: deliver again after {@code delay}. */
  void nak(Duration delay);

  /** Never deliver again, the job is given up on (poison or permanent failure). */
  void term();

  /** Still working: restart the ack-wait timer. */
  void inProgress();
}
