package io.osapi.core.port;

import java.time.Duration;
import java.util.List;

/** One worker's view of the queue: fetches deliveries from all of its consumers. */
public interface JobConsumer extends AutoCloseable {

  /**
   * Fetches up to {@code max} deliveries, waiting at most {@code maxWait} for the first.
   *
   * @return possibly empty, never more than {@code max}
   * @throws InterruptedException if interrupted while waiting
   * @throws io.osapi.core.domain.BackendUnavailableException if the queue is unreachable
   */
  List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException;

  /** Stops fetching; deliveries already handed out can still be acknowledged. */
  @Override
  void close();
}
