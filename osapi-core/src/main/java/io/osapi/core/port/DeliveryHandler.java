package io.osapi.core.port;

/**
 * What a worker does with each delivery a {@link JobConsumer} hands it ({@link
 * JobConsumer#deliver}).
 */
@FunctionalInterface
public interface DeliveryHandler {

  /**
   * Takes one delivery, for which the consumer took one of the worker's slots. Called on the
   * consumer's own threads as deliveries arrive, so it must not block (the worker sends the claim
   * without waiting for it and runs the operation on its pool).
   *
   * @param delivery to be settled exactly once
   * @param done to be called exactly once, when the delivery is settled or left alone: gives the
   *     slot back (and lets the consumer hand over, or ask for, the next delivery)
   */
  void handle(Delivery delivery, Runnable done);
}
