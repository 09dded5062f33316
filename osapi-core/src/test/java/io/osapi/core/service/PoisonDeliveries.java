package io.osapi.core.service;

import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.JobId;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Queues whose deliveries are seen through a test's lens: {@link #wrapping(JobQueue, JobId)}
 * makes one job's deliveries unreadable (as a notification with a body that is not a job would
 * be), {@link #eachDelivery} lets a test wrap every delivery; everything else is the real queue's.
 */
final class PoisonDeliveries {
  private PoisonDeliveries() {}

  static JobQueue wrapping(JobQueue real, JobId poisoned) {
    return eachDelivery(real, d -> d.notification().job().id().equals(poisoned)
        ? proxy(Delivery.class, d, (dm, args, r) -> {
          if (dm.getName().equals("notification")) {
            throw new CorruptRecordException("notification body is not a job (injected)", null);
          }
          return r;
        })
        : d);
  }

  /** {@code real}, each delivery its consumers fetch passed through {@code wrap}. */
  static JobQueue eachDelivery(JobQueue real, UnaryOperator<Delivery> wrap) {
    return proxy(JobQueue.class, real, (m, args, result) ->
        m.getName().equals("consumer")
            ? new Wrapping((JobConsumer) result, wrap)
            : result);
  }

  /** Fetches only: deliveries are handed over by the port's default {@code deliver}. */
  private record Wrapping(JobConsumer real, UnaryOperator<Delivery> wrap) implements JobConsumer {
    @Override
    public List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException {
      return real.fetch(max, maxWait).stream().map(wrap).toList();
    }

    @Override
    public void close() {
      real.close();
    }
  }

  /** What a proxied call returns, given its arguments and the real call's result. */
  interface After {
    Object apply(Method m, Object[] args, Object result) throws Throwable;
  }

  /** {@code real} as a {@code type} whose every call's result goes through {@code after}. */
  @SuppressWarnings("unchecked")
  static <T> T proxy(Class<T> type, Object real, After after) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, m, args) -> {
          try {
            return after.apply(m, args, m.invoke(real, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
