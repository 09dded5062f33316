package io.osapi.core.service;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One delivery's hold on its worker's capacity, from the hand-over to the settled delivery.
 *
 * <p>The consumer took one of the worker's slots for the delivery ({@code slot} gives it back).
 * Once the operation has returned ({@link #ran()}), the slot is given back at once if one of the
 * worker's settling places is free, and that place is held instead until the delivery is settled
 * ({@link #run()}): the next delivery is claimed and run while this one's end is still being
 * written and acknowledged, so a worker's rate for short operations is not bounded by its
 * concurrency over two store round trips. With no settling place free, the slot is kept until the
 * delivery is settled. A worker thus runs at most {@code concurrency} operations at once and holds
 * at most as many more deliveries whose ends are being written.
 */
final class DeliveryHold implements Runnable {
  private static final int SLOT = 0;
  private static final int SETTLING = 1;
  private static final int SETTLED = 2;

  private final Runnable slot;
  private final Semaphore settling;
  private final AtomicInteger state = new AtomicInteger(SLOT);

  /**
   * @param slot gives the delivery's slot back (once)
   * @param settling the worker's settling places
   */
  DeliveryHold(Runnable slot, Semaphore settling) {
    this.slot = slot;
    this.settling = settling;
  }

  /** The operation returned: the slot goes back now if a settling place can hold the rest. */
  void ran() {
    if (state.get() != SLOT || !settling.tryAcquire()) {
      return;
    }
    if (state.compareAndSet(SLOT, SETTLING)) {
      slot.run();
    } else {
      settling.release(); // settled meanwhile: the slot went back there
    }
  }

  /** The delivery is settled or left alone: gives back what is still held. Idempotent. */
  @Override
  public void run() {
    switch (state.getAndSet(SETTLED)) {
      case SLOT -> slot.run();
      case SETTLING -> settling.release();
      default -> { }
    }
  }
}
