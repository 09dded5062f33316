package io.osapi.core.port;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.ExhaustedDelivery;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobDeadline;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.QueueBacklog;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Carries job notifications from the job client to workers, with at-least-once delivery.
 *
 * <p>Routing: a notification is addressed by its job's kind and {@link Job#target()} and carries
 * the whole {@link JobNotification}. Jobs for {@code _any} are shared: all workers draw from one
 * durable consumer per kind, so each job reaches one worker at a time. Every other target that
 * reaches a worker ({@link ConsumerSpec#ownTargets()}) has a durable of that worker's own,
 * created to deliver only notifications published after it was first made. A rolling broadcast's
 * released run ({@link JobNotification#releasedTo()} set) is addressed as a host target of that
 * worker would be, whatever the job's target, and de-duplicated by job and worker. How targets are
 * spelled (NATS subjects) is the implementation's own.
 */
public interface JobQueue {

  /**
   * Publishes a notification. Publishing the same job (for a released run: the same job and
   * worker) again within the de-duplication window stores nothing new, so a publish whose outcome
   * was unknown can be repeated.
   *
   * @return completes when the queue stored it; exceptionally with {@link
   *     io.osapi.core.domain.BackendUnavailableException} when it could not
   */
  CompletableFuture<Void> publish(JobNotification notification);

  /**
   * How long after a notification was stored {@link #publish publishing} the same job again stores
   * nothing new (on NATS the stream's duplicate window). Past it a second publish is a second
   * notification.
   */
  java.time.Duration deduplicationWindow();

  /** Opens (creating where needed) the consumers a worker reads from. */
  JobConsumer consumer(ConsumerSpec spec);

  /** The current backlog of the shared {@code _any} consumers. */
  QueueBacklog backlog();

  /**
   * Calls {@code handler} for every notification whose deliveries ran out without being settled:
   * the ack wait of its last allowed delivery expired, or that delivery was nak'd (at least once
   * each: a handler that throws gets it again later, one that throws {@link
   * io.osapi.core.domain.SettleLaterException} after the delay it names; exhaustions while no one
   * subscribes wait for a subscriber). An exhaustion is the queue's view: the last delivery may
   * still be running (in a NATS cluster a consumer's new leader works from the delivery state it
   * took over, which can lag). Across processes each
   * exhaustion reaches one subscriber; on NATS from the max-deliveries advisories, which only the
   * controllers subscribe to.
   *
   * @return closes the subscription
   */
  AutoCloseable onExhausted(Consumer<ExhaustedDelivery> handler);

  /**
   * Keeps {@code deadline} until it is due, durably: on NATS it survives a restart of every
   * controller. Scheduling the same job again is harmless (the handler finds nothing left to do).
   *
   * @return completes when the deadline is stored; exceptionally with {@link
   *     io.osapi.core.domain.BackendUnavailableException} when it could not be
   */
  CompletableFuture<Void> scheduleDeadline(JobDeadline deadline);

  /**
   * Calls {@code handler} for every scheduled deadline once it is due (at least once: a handler
   * that throws gets it again later, one that throws {@link
   * io.osapi.core.domain.SettleLaterException} after the delay it names; deadlines that fall due while no one subscribes wait for a
   * subscriber). Across processes each deadline reaches one subscriber at a time; only the
   * controllers subscribe.
   *
   * @return closes the subscription
   */
  AutoCloseable onDeadline(Consumer<JobDeadline> handler);
}
