package io.osapi.core.service;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A {@link JobStore} that passes every call to a real one, except that call number {@code failAt}
 * of one asynchronous write method fails as an unreachable store would: without reaching the real
 * store, or (answer lost) after the real store took it.
 */
final class FailingOnceJobStore {
  private FailingOnceJobStore() {}

  /**
   * {@code real}, with call {@code failAt} (from 1) of {@code method} failed; {@code calls} counts
   * them all; {@code stored} says whether the failed call still reached the real store.
   */
  static JobStore wrapping(JobStore real, String method, int failAt, boolean stored,
      AtomicInteger calls) {
    return wrapping(real, method, failAt, stored, calls,
        new BackendUnavailableException("timed out (injected)", null));
  }

  /** As above, failing with {@code failure}. */
  static JobStore wrapping(JobStore real, String method, int failAt, boolean stored,
      AtomicInteger calls, RuntimeException failure) {
    return (JobStore)
        Proxy.newProxyInstance(
            JobStore.class.getClassLoader(),
            new Class<?>[] {JobStore.class},
            (proxy, m, args) -> {
              if (m.getName().equals(method) && calls.incrementAndGet() == failAt) {
                if (stored) {
                  ((CompletableFuture<?>) m.invoke(real, args)).join();
                }
                return CompletableFuture.failedFuture(failure);
              }
              try {
                return m.invoke(real, args);
              } catch (InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }
}
