package io.osapi.adapter.otel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * The failures the OTel metrics classes swallowed (recording must never throw): counted, the first
 * one logged. One per backend, shared by its metrics classes.
 */
final class InternalErrors {
  private static final System.Logger LOG = System.getLogger(InternalErrors.class.getName());

  private final LongAdder count = new LongAdder();
  private final AtomicBoolean logged = new AtomicBoolean();

  /** Counts {@code t} (logged the first time); rethrows only a fatal {@link VirtualMachineError}. */
  void swallow(String where, Throwable t) {
    if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
      throw (VirtualMachineError) t;
    }
    count.increment();
    if (logged.compareAndSet(false, true)) {
      LOG.log(
          System.Logger.Level.WARNING,
          "metrics recording failed in " + where + " (logged once; counted afterwards)",
          t);
    }
  }

  /** How many failures were swallowed. */
  long count() {
    return count.sum();
  }

  /** Closes each of {@code closeables}, swallowing what they throw. */
  void closeAll(Iterable<AutoCloseable> closeables) {
    for (AutoCloseable c : closeables) {
      try {
        c.close();
      } catch (Throwable t) {
        swallow("close", t);
      }
    }
  }
}
