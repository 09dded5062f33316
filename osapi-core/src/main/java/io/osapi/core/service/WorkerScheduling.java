package io.osapi.core.service;

import io.osapi.core.domain.SchedulingState;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * A worker's scheduling state ({@link SchedulingState}: ready, draining, cordoned) and its
 * consumer, which is open only while the worker is ready (split from {@link WorkerService}). The
 * drain check closes the consumer as soon as it sees a request: deliveries reach the worker
 * between fetches, so waiting for the fetch loop's next turn would hand jobs back for nothing.
 */
final class WorkerScheduling {
  private static final System.Logger LOG = System.getLogger(WorkerService.class.getName());

  private final WorkerConfig config;
  private final JobQueue queue;
  private final WorkerRegistry registry;
  private final IntSupplier active;
  private final BooleanSupplier idle;
  private final Runnable heartbeat;
  /** Guards opening and closing {@link #consumer} against the state's change to not ready. */
  private final Object lock = new Object();
  private volatile SchedulingState state = SchedulingState.READY;
  /** Open while the worker takes jobs; closed (null) while draining or cordoned. */
  private volatile JobConsumer consumer;

  /**
   * @param active jobs running now (for the log)
   * @param idle nothing running and every slot free (an end still being written holds its slot)
   * @param heartbeat sends the worker's entry, state included, at each change
   */
  WorkerScheduling(WorkerConfig config, JobQueue queue, WorkerRegistry registry,
      IntSupplier active, BooleanSupplier idle, Runnable heartbeat) {
    this.config = config;
    this.queue = queue;
    this.registry = registry;
    this.active = active;
    this.idle = idle;
    this.heartbeat = heartbeat;
  }

  SchedulingState state() {
    return state;
  }

  /** At start, once registered: opens the consumer, then starts cordoned if a drain is pending. */
  void start() {
    synchronized (lock) {
      consumer = queue.consumer(config.consumerSpec());
    }
    if (registry.drainRequested(config.workerId())) {
      state = SchedulingState.CORDONED;
      closeConsumer();
      LOG.log(Level.INFO, "worker {0} starts cordoned: a drain is requested (undrain it to take"
          + " jobs)", config.workerId());
    }
  }

  /** The open consumer, opened when needed, or null (closed) while not ready. */
  JobConsumer openConsumer() {
    synchronized (lock) {
      if (state != SchedulingState.READY) {
        closeConsumer();
      } else if (consumer == null) {
        consumer = queue.consumer(config.consumerSpec());
      }
      return consumer;
    }
  }

  void closeConsumer() {
    synchronized (lock) {
      JobConsumer c = consumer;
      if (c != null) {
        consumer = null;
        c.close();
      }
    }
  }

  /** On the drain ticker: follows the drain request; moves draining to cordoned once idle. */
  void checkDrain() {
    boolean requested;
    try {
      requested = registry.drainRequested(config.workerId());
    } catch (RuntimeException e) {
      LOG.log(Level.DEBUG, "reading the drain request failed: {0}", e.getMessage());
      return;
    }
    SchedulingState before = state;
    SchedulingState next = before;
    if (requested && before == SchedulingState.READY) {
      next = SchedulingState.DRAINING;
      LOG.log(Level.INFO, "worker {0} draining: takes no new jobs, finishes the {1} it runs",
          config.workerId(), active.getAsInt());
    } else if (!requested && before != SchedulingState.READY) {
      next = SchedulingState.READY;
      LOG.log(Level.INFO, "worker {0} undrained: ready, takes jobs again", config.workerId());
    }
    synchronized (lock) {
      state = next;
      if (next != SchedulingState.READY) {
        closeConsumer(); // at once, not at the fetch loop's next turn
      }
    }
    if (next == SchedulingState.DRAINING && idle.getAsBoolean()) {
      state = next = SchedulingState.CORDONED;
      LOG.log(Level.INFO, "worker {0} cordoned: drained, runs nothing", config.workerId());
    }
    if (next != before) {
      heartbeat.run();
    }
  }
}
