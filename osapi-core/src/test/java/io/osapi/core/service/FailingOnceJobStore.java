package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link JobStore} that passes every call to a real one, except that the first call of one
 * asynchronous write method ({@code appendEvent} or {@code putResult}) fails as an unreachable
 * store would, without reaching the real store.
 */
final class FailingOnceJobStore {
  private FailingOnceJobStore() {}

  /** {@code real}, with the first call of {@code method} failed; {@code calls} counts them all. */
  static JobStore wrapping(JobStore real, String method, AtomicInteger calls) {
    return (JobStore)
        Proxy.newProxyInstance(
            JobStore.class.getClassLoader(),
            new Class<?>[] {JobStore.class},
            (proxy, m, args) -> {
              if (m.getName().equals(method) && calls.incrementAndGet() == 1) {
                return CompletableFuture.failedFuture(
                    new BackendUnavailableException("timed out (injected)", null));
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
