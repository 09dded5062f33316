package io.osapi.core.service;

import java.lang.System.Logger.Level;
import java.util.function.Supplier;

/** The one subscription of a {@link QueueListener}: opened once, closed once. */
final class Subscription {
  private static final System.Logger LOG = System.getLogger(Subscription.class.getName());

  private final String what;
  private AutoCloseable open;

  /** @param what what is subscribed to, for the log */
  Subscription(String what) {
    this.what = what;
  }

  /** Subscribes unless subscribed already. */
  synchronized void open(Supplier<AutoCloseable> subscribe) {
    if (open == null) {
      open = subscribe.get();
    }
  }

  /** Unsubscribes when subscribed; a failure to close is logged, not thrown. */
  synchronized void close() {
    if (open != null) {
      try {
        open.close();
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "closing the {0} subscription: {1}", what, e.getMessage());
      }
      open = null;
    }
  }
}
