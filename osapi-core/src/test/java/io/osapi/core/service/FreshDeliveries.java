package io.osapi.core.service;

import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.List;

/**
 * A {@link JobQueue} whose deliveries say {@link Delivery#fresh()} (as the NATS queue does for a
 * first delivery published since its connection came up); everything else is the real queue's.
 */
final class FreshDeliveries {
  private FreshDeliveries() {}

  static JobQueue wrapping(JobQueue real) {
    return proxy(JobQueue.class, real, (m, result) ->
        m.getName().equals("consumer") ? proxy(JobConsumer.class, result, FreshDeliveries::fetched)
            : result);
  }

  private static Object fetched(Method m, Object result) {
    if (!m.getName().equals("fetch")) {
      return result;
    }
    return ((List<?>) result).stream()
        .map(d -> proxy(Delivery.class, d, (dm, r) -> dm.getName().equals("fresh") ? true : r))
        .toList();
  }

  private interface After {
    Object apply(Method m, Object result) throws Throwable;
  }

  @SuppressWarnings("unchecked")
  private static <T> T proxy(Class<T> type, Object real, After after) {
    return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type},
        (p, m, args) -> {
          try {
            return after.apply(m, m.invoke(real, args));
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
  }
}
