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

/**
 * A {@link JobQueue} whose deliveries of one job cannot be read (as a notification with a body
 * that is not a job would be); everything else is the real queue's.
 */
final class PoisonDeliveries {
  private PoisonDeliveries() {}

  static JobQueue wrapping(JobQueue real, JobId poisoned) {
    return proxy(JobQueue.class, real, (m, result) ->
        m.getName().equals("consumer")
            ? new Poisoning((JobConsumer) result, poisoned)
            : result);
  }

  /** Fetches only: deliveries are handed over by the port's default {@code deliver}. */
  private record Poisoning(JobConsumer real, JobId poisoned) implements JobConsumer {
    @Override
    public List<Delivery> fetch(int max, Duration maxWait) throws InterruptedException {
      return withPoison(real.fetch(max, maxWait), poisoned);
    }

    @Override
    public void close() {
      real.close();
    }
  }

  private static List<Delivery> withPoison(List<Delivery> fetched, JobId poisoned) {
    return fetched.stream()
        .map(d -> d.notification().job().id().equals(poisoned)
            ? proxy(Delivery.class, d, (dm, r) -> {
              if (dm.getName().equals("notification")) {
                throw new CorruptRecordException("notification body is not a job (injected)", null);
              }
              return r;
            })
            : d)
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
