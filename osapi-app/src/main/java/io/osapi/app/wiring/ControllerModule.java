package io.osapi.app.wiring;

import io.osapi.app.runtime.RolloutRunner;
import io.osapi.app.runtime.SchedulerRunner;
import io.osapi.app.schedule.CronUtilsParser;
import io.osapi.core.schedule.CronParser;
import io.osapi.core.schedule.ScheduleMetrics;
import io.osapi.core.schedule.ScheduleStore;
import io.osapi.core.scheduler.Scheduler;
import io.osapi.core.scheduler.Schedules;
import io.osapi.core.service.JobClient;
import dagger.Module;
import dagger.Provides;
import io.osapi.app.config.LifecycleSettings;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.ControllerRefresher;
import io.osapi.app.runtime.QueueListenerRunner;
import io.osapi.core.port.JobStore;
import io.osapi.app.runtime.SubmitReconcilerRunner;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.service.DeadLetterService;
import io.osapi.core.service.JobIndex;
import io.osapi.core.service.RolloutService;
import io.osapi.core.service.SubmitReconciler;
import io.osapi.core.service.JobTimeoutService;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.WorkerRegistry;
import java.time.Clock;
import javax.inject.Named;

/** The controller's background work. */
@Module
public interface ControllerModule {
  /** Refreshes backlog and heartbeat ages for the metrics. */
  @Provides
  static ControllerRefresher refresher(
      Backend backend,
      JobStore store,
      JobQueue queue,
      WorkerRegistry registry,
      FleetMetrics metrics,
      Clock clock,
      LifecycleSettings lifecycle) {
    return new ControllerRefresher(
        backend, store, queue, registry, metrics, clock, lifecycle.refreshInterval());
  }

  /** Gives up on jobs whose deliveries ran out (one subscriber per exhaustion across controllers). */
  @Provides
  @Named("deadLetters")
  static QueueListenerRunner deadLetters(Backend backend, JobStore store, JobQueue queue,
      WorkerRegistry registry, JobMetrics metrics, Clock clock) {
    return new QueueListenerRunner("dead letters",
        "jobs whose deliveries run out are failed here",
        new DeadLetterService(store, queue, registry, metrics, clock, DeadLetterService.RECHECK),
        backend);
  }

  /** Fails the silent expected workers of broadcast jobs at their deadline (one subscriber each). */
  @Provides
  @Named("timeouts")
  static QueueListenerRunner timeouts(
      Backend backend, JobStore store, JobQueue queue, JobMetrics metrics, Clock clock) {
    return new QueueListenerRunner("job timeouts",
        "broadcast runs still open at their job's deadline are failed here",
        new JobTimeoutService(store, queue, metrics, clock), backend);
  }

  /**
   * Notifies again the jobs still submitted without a run {@link SubmitReconcilerRunner#GRACE}
   * after their creation (a controller died between a job's record and its notification).
   */
  @Provides
  static SubmitReconcilerRunner submitReconciler(Backend backend, JobStore store, JobQueue queue,
      JobIndex index, Clock clock, LifecycleSettings lifecycle) {
    return new SubmitReconcilerRunner(backend, new SubmitReconciler(store, queue, index, clock,
        SubmitReconcilerRunner.GRACE, SubmitReconcilerRunner.MARGIN),
        lifecycle.readinessInterval());
  }

  /** Goes on with the rolling broadcasts (every controller; compare-and-set on the records). */
  @Provides
  static RolloutRunner rollouts(Backend backend, JobStore store, JobQueue queue, JobIndex index,
      JobMetrics metrics, Clock clock) {
    return new RolloutRunner(backend, new RolloutService(store, queue, index, metrics, clock,
        RolloutRunner.MARGIN));
  }

  /** Five-field cron expressions, with cron-utils. */
  @Provides
  static CronParser cronParser() {
    return new CronUtilsParser();
  }

  /** The schedules of the backend: bucket {@code osapi-schedules} on NATS, a map when embedded. */
  @Provides
  static ScheduleStore scheduleStore(Backend backend) {
    return backend.schedules();
  }

  /**
   * The idempotency keys of creates: bucket {@code osapi-idempotency} on NATS (shared by the
   * controllers), this process's memory on the embedded broker; kept {@code
   * --idempotency-window}.
   */
  @Provides
  @javax.inject.Singleton
  static io.osapi.core.port.IdempotencyKeys idempotencyKeys(Backend backend,
      io.osapi.app.config.ApiSettings api, Clock clock) {
    return backend.idempotencyKeys().orElseGet(
        () -> new io.osapi.core.memory.InMemoryIdempotencyKeys(api.idempotencyWindow(), clock));
  }

  /** Creates with an {@code Idempotency-Key}: through the job client's own create path. */
  @Provides
  @javax.inject.Singleton
  static io.osapi.core.service.IdempotentCreates idempotentCreates(JobClient client,
      io.osapi.core.port.IdempotencyKeys keys) {
    return io.osapi.core.service.IdempotentCreates.builder(client, keys).build();
  }

  /** What the REST API does with schedules. */
  @Provides
  static Schedules schedules(ScheduleStore store, CronParser cron, JobClient client, Clock clock) {
    return new Schedules(store, cron, client, clock);
  }

  /** Fires the schedules' ticks, each once across the controllers. */
  @Provides
  static SchedulerRunner scheduler(Backend backend, ScheduleStore store, JobClient client,
      CronParser cron, ScheduleMetrics metrics, Clock clock) {
    return new SchedulerRunner(backend, new Scheduler(store, client, cron, metrics, clock));
  }

  /**
   * The audit trail of the backend (controller and all-in-one): stream {@code AUDIT} on NATS, a
   * bounded ring on the embedded broker.
   */
  @Provides
  static AuditLog audit(Backend backend) {
    return backend.audit();
  }
}
