package io.osapi.adapter.nats;

import io.nats.client.Message;
import io.osapi.core.domain.CorruptRecordException;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.PermanentStoreException;
import io.osapi.core.domain.SettleLaterException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * What a listener of a shared durable ({@link NatsDeadlineListener}, {@link NatsExhaustedListener})
 * does with a message whose handler threw. A permanent error (the store refusing the request for
 * good, a record that cannot be read, input that is not valid) is logged and the message termed:
 * it is never handled as an outage and never comes back. Anything else is taken for an outage and
 * the message is handed out again later, after a delay that doubles with each delivery from {@link
 * #FIRST_RETRY} up to {@link #MAX_RETRY}, so a job that keeps failing costs little and, as the
 * handlers run on a pool, never holds up the others. A handler's {@link SettleLaterException} is no
 * failure: the message is handed out again after the delay it names.
 */
final class HandlerFailures {
  /** Delay before the second delivery of a message whose handler failed. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(5);

  /** Longest delay between deliveries of a message whose handler keeps failing. */
  static final Duration MAX_RETRY = Duration.ofMinutes(5);

  private HandlerFailures() {}

  /** True for an error that trying again cannot cure. */
  static boolean permanent(RuntimeException e) {
    return e instanceof PermanentStoreException || e instanceof CorruptRecordException
        || e instanceof InvalidInputException || e instanceof IllegalArgumentException;
  }

  /** The delay before delivery {@code delivered + 1}: doubling from {@link #FIRST_RETRY}. */
  static Duration retryDelay(long delivered) {
    long shift = Math.max(0, Math.min(delivered - 1, 10));
    Duration d = FIRST_RETRY.multipliedBy(1L << shift);
    return d.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : d;
  }

  /** Settles {@code m}, whose handler threw {@code e} while handling {@code what}. */
  static void settle(Logger log, Message m, Object what, RuntimeException e) {
    if (e instanceof SettleLaterException later) {
      log.log(Level.DEBUG, "{0} waits {1}: {2}", what, later.after(), later.getMessage());
      m.nakWithDelay(later.after());
      return;
    }
    if (permanent(e)) {
      log.log(Level.ERROR, "handling {0} failed for good, dropped: {1}", what, e.toString());
      m.term();
      return;
    }
    long delivered = deliveries(m);
    Duration delay = retryDelay(delivered);
    log.log(Level.WARNING, "handling {0} failed (delivery {1}), trying again in {2}: {3}", what,
        delivered, delay, e.toString());
    m.nakWithDelay(delay);
  }

  private static long deliveries(Message m) {
    try {
      return m.metaData().deliveredCount();
    } catch (RuntimeException e) {
      return 1;
    }
  }
}
