package io.osapi.adapter.nats;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobNotification;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Notification bodies made while their job's record was written ({@link
 * Records#record(io.osapi.core.domain.JobRecord, NotificationBodies)}), kept for the publish that
 * follows so a job is serialised once: the notification is the record's leading fields ({@link
 * Records#notificationOf}). A fixed number of slots chosen by the job id; a body is handed out only
 * for the very same job and expected list objects it was made from (identity, so never for another
 * job or another list), and once. A slot overwritten or a publish of a job not created here (a
 * retry, another process) serialises as before: memory stays bounded and nothing depends on a body
 * being found.
 */
final class NotificationBodies {
  /** Slots: a power of two, enough for the creates a controller keeps in flight. */
  static final int SLOTS = 1024;

  private record Body(Job job, List<String> expected, byte[] bytes) {}

  private final AtomicReferenceArray<Body> slots = new AtomicReferenceArray<>(SLOTS);

  /** Keeps {@code bytes} as the notification body of {@code job} expecting {@code expected}. */
  void keep(Job job, List<String> expected, byte[] bytes) {
    slots.set(slot(job), new Body(job, expected, bytes));
  }

  /** The body kept for exactly this notification's job and expected list, taken; else null. */
  byte[] take(JobNotification n) {
    int i = slot(n.job());
    Body b = slots.get(i);
    if (b == null || b.job != n.job() || b.expected != n.expected()) {
      return null;
    }
    return slots.compareAndSet(i, b, null) ? b.bytes : null;
  }

  /** Drops what is kept for {@code job} (its create failed). */
  void drop(Job job) {
    int i = slot(job);
    Body b = slots.get(i);
    if (b != null && b.job == job) {
      slots.compareAndSet(i, b, null);
    }
  }

  private static int slot(Job job) {
    int h = job.id().hashCode();
    return (h ^ (h >>> 16)) & (SLOTS - 1);
  }
}
