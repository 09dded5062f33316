package io.osapi.core.memory;

import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.SettleLaterException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Hands items (exhausted deliveries, due deadlines) of the embedded broker to its subscribed
 * handlers, one handler per item, in turn, on one daemon thread of its own that ends when it has
 * nothing to do. A handler that throws gets the item again after the retry delay (one that throws
 * {@link SettleLaterException}, after the delay it names, logged as a wait); items that come
 * while no handler is subscribed wait for the next one, as they wait in their stream on NATS.
 * Handlers are called one at a time and should be short.
 *
 * @param <T> the item
 */
final class HandOut<T> {
  private static final System.Logger LOG = System.getLogger(HandOut.class.getName());

  private final String what;
  private final Duration retryDelay;
  private final Object lock = new Object();
  private final ArrayDeque<T> waiting = new ArrayDeque<>();
  private final List<Subscription> handlers = new ArrayList<>();
  private final ScheduledThreadPoolExecutor thread;
  private int next;

  /**
   * @param what what is handed out, for the log and the thread's name
   * @param retryDelay how long an item whose handler threw waits before it is handed out again
   */
  HandOut(String what, Duration retryDelay) {
    this.what = Objects.requireNonNull(what, "what");
    this.retryDelay = Objects.requireNonNull(retryDelay, "retryDelay");
    thread = new ScheduledThreadPoolExecutor(1,
        DaemonThreads.single("osapi-memory-" + what.replace(' ', '-')));
    thread.setKeepAliveTime(5, TimeUnit.SECONDS);
    thread.allowCoreThreadTimeOut(true);
    thread.setRemoveOnCancelPolicy(true);
  }

  /** Hands {@code item} out now. */
  void offer(T item) {
    offerAfter(item, 0);
  }

  /** Hands {@code item} out after {@code delayMillis} (now when not positive). */
  void offerAfter(T item, long delayMillis) {
    Objects.requireNonNull(item, "item");
    thread.schedule(() -> {
      synchronized (lock) {
        waiting.add(item);
      }
      dispatch();
    }, Math.max(0, delayMillis), TimeUnit.MILLISECONDS);
  }

  /** Adds a handler; closing the result removes it. */
  AutoCloseable subscribe(Consumer<T> handler) {
    Subscription s = new Subscription(Objects.requireNonNull(handler, "handler"));
    synchronized (lock) {
      handlers.add(s);
    }
    thread.execute(this::dispatch);
    return s;
  }

  /** On the thread: hands waiting items to handlers, outside the lock. */
  private void dispatch() {
    while (true) {
      T item;
      Subscription s;
      synchronized (lock) {
        handlers.removeIf(h -> h.closed);
        if (handlers.isEmpty() || waiting.isEmpty()) {
          return;
        }
        item = waiting.poll();
        next = (next + 1) % handlers.size();
        s = handlers.get(next);
      }
      try {
        s.handler.accept(item);
      } catch (SettleLaterException later) {
        LOG.log(Level.DEBUG, "{0}: {1} waits {2} ms: {3}", what, item, later.after().toMillis(),
            later.getMessage());
        offerAfter(item, later.after().toMillis());
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable t) {
        LOG.log(Level.WARNING, what + " handler failed on " + item + "; it is handed out again in "
            + retryDelay.toMillis() + " ms", t);
        offerAfter(item, retryDelay.toMillis());
      }
    }
  }

  private final class Subscription implements AutoCloseable {
    final Consumer<T> handler;
    volatile boolean closed;

    Subscription(Consumer<T> handler) {
      this.handler = handler;
    }

    @Override
    public void close() {
      closed = true;
      synchronized (lock) {
        handlers.remove(this);
      }
    }
  }
}
