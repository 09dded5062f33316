package io.osapi.adapter.nats;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The creates of a {@link NatsJobStore} whose outcome was unknown (NATS went away before it
 * answered): such a record may have been stored although its caller heard "failed". Each is
 * remembered and, once NATS answers again and it is {@link #SETTLE_AFTER} old, read and removed
 * unless a worker claimed the job meanwhile. A create of the same job again (its caller retrying)
 * takes it back first, atomically with that removal. Runs on the link's settle thread.
 */
final class NatsUnconfirmedCreates {
  private static final System.Logger LOG =
      System.getLogger(NatsUnconfirmedCreates.class.getName());
  /** How long a create whose outcome was unknown is remembered for removal. */
  private static final long FORGET_AFTER_NANOS = TimeUnit.MINUTES.toNanos(10);
  /**
   * How old a create with an unknown outcome must be before it is removed: longer than any held
   * create retries (the longest create patience, 20 s), so a removal never waits on (or for) a
   * create of the same job that is still being tried.
   */
  static final Duration SETTLE_AFTER = Duration.ofSeconds(25);

  private final NatsLink link;
  private final NatsJobStore store;
  private final Map<JobId, Unconfirmed> unconfirmed = new ConcurrentHashMap<>();
  private final AtomicBoolean removalScheduled = new AtomicBoolean();

  NatsUnconfirmedCreates(NatsLink link, NatsJobStore store) {
    this.link = link;
    this.store = store;
  }

  /** Remembers {@code record}, whose create had an unknown outcome, for removal. */
  void remember(JobRecord record) {
    unconfirmed.put(record.job().id(), new Unconfirmed(record, System.nanoTime()));
    scheduleRemoval();
  }

  /** A create of {@code id} again: forgets it, after a removal of it under way has ended. */
  void takeBack(JobId id) {
    unconfirmed.remove(id);
  }

  private void scheduleRemoval() {
    if (removalScheduled.compareAndSet(false, true)) {
      link.settle().schedule(this::removeUnconfirmed, 500);
    }
  }

  /**
   * Settles the creates that are {@link #SETTLE_AFTER} old, every 500 ms while there are any,
   * once connected: a flush first (a create jnats still held across the reconnect reaches the
   * server before it), then each record is read: absent, nothing to do; present with a run, a
   * worker claimed the job meanwhile and it stays; else it is removed. Gives up on one after ten
   * minutes.
   */
  private void removeUnconfirmed() {
    removalScheduled.set(false);
    if (link.isGone()) {
      return;
    }
    if (link.isConnected()) {
      try {
        NatsSession s = link.requireSession();
        s.conn.flush(s.settings.requestTimeout());
        long due = System.nanoTime() - SETTLE_AFTER.toNanos();
        for (JobId id : List.copyOf(unconfirmed.keySet())) {
          Unconfirmed u0 = unconfirmed.get(id);
          if (u0 == null || u0.since() - due > 0) {
            continue; // its create may still be tried again
          }
          // under the entry's lock: a create of the same job again waits for it (see takeBack)
          unconfirmed.computeIfPresent(id, (k, u) -> {
            settle(s, k, u.record());
            return null;
          });
        }
      } catch (Exception e) {
        LOG.log(Level.DEBUG, "settling creates with unknown outcome, trying again: {0}",
            NatsErrors.describe(e));
      }
    }
    long now = System.nanoTime();
    unconfirmed.values().removeIf(u -> now - u.since() > FORGET_AFTER_NANOS);
    if (!unconfirmed.isEmpty()) {
      scheduleRemoval();
    }
  }

  private void settle(NatsSession s, JobId id, JobRecord record) {
    if (store.find(id).isEmpty()) {
      return;
    }
    if (!store.runs(record).isEmpty()) {
      LOG.log(Level.INFO, "job {0}: its create was answered with a failure but had been stored,"
          + " and a worker has claimed it since; it stays", id);
      return;
    }
    try {
      NatsJobStore.purge(s, NatsLayout.jobSubject(id));
    } catch (Exception e) {
      throw NatsErrors.unavailable("removing job record " + id, e);
    }
    LOG.log(Level.INFO, "removed job record {0}: its create was answered with a failure but had"
        + " been stored", id);
  }

  /** A create with an unknown outcome. */
  private record Unconfirmed(JobRecord record, long since) {}
}
