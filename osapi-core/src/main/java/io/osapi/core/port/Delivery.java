package io.osapi.core.port;

import io.osapi.core.domain.JobNotification;
import java.time.Duration;
import java.time.Instant;

/** One delivery of a job notification, to be settled exactly once by ack, nak or term. */
public interface Delivery {

  /**
   * What the notification says.
   *
   * @throws io.osapi.core.domain.CorruptRecordException when it cannot be read (poison: term it)
   */
  JobNotification notification();


  /**
   * Where the notification was delivered from, for traces (on NATS its subject); null when the
   * queue has no such name.
   */
  default String destination() {
    return null;
  }

  /** 1 for the first delivery, more for redeliveries. */
  int deliveryCount();

  /** When the notification was published. */
  Instant publishedAt();

  /** Done: never deliver again. */
  void ack();

  /** Not done: deliver again after {@code delay}. */
  void nak(Duration delay);

  /** Never deliver again, the job is given up on (poison or permanent failure). */
  void term();

  /** Still working: restart the ack-wait timer. */
  void inProgress();
}
