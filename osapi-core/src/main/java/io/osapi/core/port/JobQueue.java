package io.osapi.core.port;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.QueueBacklog;

/**
 * Carries job notifications from the job client to workers, with at-least-once delivery.
 *
 * <p>Layout: a notification for {@code job} goes to {@link Job#subject()}. Jobs for {@code _any}
 * are shared: all workers draw from one durable consumer per kind, so each job reaches one worker.
 * Every other subject a worker listens on ({@link ConsumerSpec#ownSubjectSuffixes()}) has a durable
 * of that worker's own, created to deliver only notifications published after it was first made.
 */
public interface JobQueue {

  /**
   * Publishes the notification of a stored job. Publishing the same job id again within the
   * de-duplication window stores nothing new.
   *
   * @throws io.osapi.core.domain.BackendUnavailableException if it could not be published
   */
  void publish(Job job);

  /** Opens (creating where needed) the consumers a worker reads from. */
  JobConsumer consumer(ConsumerSpec spec);

  /** The current backlog of the shared {@code _any} consumers. */
  QueueBacklog backlog();
}
