package io.osapi.core.port;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * One worker's view of the queue: deliveries from all of its consumers, fetched ({@link #fetch})
 * or handed to the worker as slots allow ({@link #deliver}).
 */
public interface JobConsumer extends AutoCloseable {

  /**
   * Fetches up to {@code max} deliveries, waiting at most {@code maxWait} for the first.
   *
   * @return possibly empty, never more than {@code max}
   * @throws InterruptedException if interrupted while waiting
   * @throws io.osapi.core.domain.BackendUnavailableException if the queue is unreachable
   */
  List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException;

  /**
   * Hands deliveries to {@code handler} for up to {@code maxWait}, each once a slot of {@code
   * slots} was taken for it without waiting; the {@code done} it comes with gives the slot back.
   * Never more deliveries out at once than {@code slots} allows.
   *
   * <p>A consumer may also hand over what arrives between calls, on its own threads, as soon as
   * a slot is free (one freed by a {@code done} included), to the handler and slots of the last
   * call, until it is closed: the worker passes the same ones each time. The default waits up to
   * {@code maxWait} for a free slot, then fetches for all the free slots and hands the deliveries
   * over on the caller's thread.
   *
   * @throws InterruptedException if interrupted while waiting
   * @throws io.osapi.core.domain.BackendUnavailableException if the queue is unreachable
   */
  default void deliver(Semaphore slots, DeliveryHandler handler, Duration maxWait)
      throws InterruptedException {
    if (!slots.tryAcquire(Math.max(0, maxWait.toNanos()), TimeUnit.NANOSECONDS)) {
      return;
    }
    int granted = 1 + slots.drainPermits();
    try {
      for (Delivery d : fetch(granted, maxWait)) {
        granted--;
        handler.handle(d, slots::release);
      }
    } finally {
      slots.release(granted);
    }
  }

  /** Stops fetching; deliveries already handed out can still be acknowledged. */
  @Override
  void close();
}
