package io.osapi.core.memory;

import io.osapi.core.domain.JobDeadline;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The deadlines of {@link InMemoryJobQueue}: each scheduled deadline is a task on one daemon timer
 * thread; when it is due it is handed to one of the subscribed handlers, in turn. A handler that
 * throws gets it again after {@link InMemoryJobQueue#HANDLER_RETRY_DELAY}; deadlines due while no
 * handler is subscribed wait for the next one. Nothing survives the process, as nothing else of
 * the embedded broker does.
 */
final class InMemoryDeadlines {
  private static final System.Logger LOG = System.getLogger(InMemoryDeadlines.class.getName());

  private final Object lock = new Object();
  private final Clock clock;
  private final ArrayDeque<JobDeadline> due = new ArrayDeque<>();
  private final List<Subscription> handlers = new ArrayList<>();
  private final ScheduledThreadPoolExecutor timer;
  private int next;

  InMemoryDeadlines(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "osapi-memory-deadlines");
      t.setDaemon(true);
      return t;
    });
    timer.setKeepAliveTime(5, TimeUnit.SECONDS);
    timer.allowCoreThreadTimeOut(true);
    timer.setRemoveOnCancelPolicy(true);
  }

  void schedule(JobDeadline d) {
    Objects.requireNonNull(d, "deadline");
    long delay = Math.max(0, Duration.between(clock.instant(), d.at()).toMillis());
    timer.schedule(() -> fire(d), delay, TimeUnit.MILLISECONDS);
  }

  AutoCloseable subscribe(Consumer<JobDeadline> handler) {
    Subscription s = new Subscription(Objects.requireNonNull(handler, "handler"));
    synchronized (lock) {
      handlers.add(s);
    }
    timer.execute(this::dispatch);
    return s;
  }

  private void fire(JobDeadline d) {
    synchronized (lock) {
      due.add(d);
    }
    dispatch();
  }

  /** On the timer thread: hands due deadlines to handlers, outside the lock. */
  private void dispatch() {
    while (true) {
      JobDeadline d;
      Subscription s;
      synchronized (lock) {
        handlers.removeIf(h -> h.closed);
        if (handlers.isEmpty() || due.isEmpty()) {
          return;
        }
        d = due.poll();
        next = (next + 1) % handlers.size();
        s = handlers.get(next);
      }
      try {
        s.handler.accept(d);
      } catch (VirtualMachineError fatal) {
        throw fatal;
      } catch (Throwable t) {
        LOG.log(Level.WARNING, "deadline handler failed on job " + d.job() + "; it is handed out"
            + " again in " + InMemoryJobQueue.HANDLER_RETRY_DELAY.toMillis() + " ms", t);
        timer.schedule(() -> fire(d), InMemoryJobQueue.HANDLER_RETRY_DELAY.toMillis(),
            TimeUnit.MILLISECONDS);
      }
    }
  }

  private final class Subscription implements AutoCloseable {
    final Consumer<JobDeadline> handler;
    volatile boolean closed;

    Subscription(Consumer<JobDeadline> handler) {
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
