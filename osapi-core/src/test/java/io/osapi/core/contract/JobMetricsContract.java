package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.RefusalReason;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The compatibility kit every metrics backend runs, for all four ports ({@link JobMetrics}, {@link
 * FleetMetrics}, {@link ConnectionMetrics}, {@link HealthMetrics}): the figures the metrics
 * contract promises, read back through the backend's own view of its series.
 */
public abstract class JobMetricsContract {

  /** Reads what a backend exports, by exposition family name and labels. */
  public interface Readback {
    /** A counter's value, 0 when the series does not exist. */
    double counter(String family, Map<String, String> labels);

    /** A gauge's value, or null when the series does not exist. */
    Double gauge(String family, Map<String, String> labels);

    /** How many observations a histogram series has, 0 when it does not exist. */
    long histogramCount(String family, Map<String, String> labels);
  }

  /**
   * The four ports of one backend.
   *
   * @param jobs jobs and this process's workers
   * @param fleet a controller's background views
   * @param connection the broker connection
   * @param health readiness
   */
  public record Ports(
      JobMetrics jobs, FleetMetrics fleet, ConnectionMetrics connection, HealthMetrics health) {
    /** One object that plays all four roles (a recording double). */
    public static <T extends JobMetrics & FleetMetrics & ConnectionMetrics & HealthMetrics> Ports of(
        T all) {
      return new Ports(all, all, all, all);
    }
  }

  /** The backend under test, new for each test. */
  protected Ports metrics;

  /** A new backend that knows the operations {@code diag.echo} and {@code diag.fail}. */
  protected abstract Ports newMetrics();

  /** A view of what {@code metrics} exports now. */
  protected abstract Readback read(Ports metrics);

  @BeforeEach
  void setUpMetrics() {
    metrics = newMetrics();
  }

  private static final Map<String, String> NONE = Map.of();

  @Test
  void countsAJobsLife() {
    metrics.jobs().workerConnected("w1", 4);
    metrics.jobs().jobCreated("diag.echo");
    metrics.jobs().jobCreated("diag.echo");
    metrics.jobs().jobStarted("diag.echo", Duration.ofMillis(20));
    assertThat(read(metrics).gauge("osapi_jobs_active", NONE)).isEqualTo(1.0);
    metrics.jobs().jobReturned("diag.echo");
    assertThat(read(metrics).gauge("osapi_jobs_active", NONE))
        .as("the operation returned, its end not yet written").isEqualTo(0.0);
    metrics.jobs().jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(30));
    metrics.jobs().jobStarted("diag.fail", Duration.ofMillis(20));
    metrics.jobs().jobReturned("diag.fail");
    metrics.jobs().jobFinished("diag.fail", "w1", JobOutcome.FAILED, Duration.ofMillis(30));
    Readback r = read(metrics);
    assertThat(r.counter("osapi_jobs_created_total", Map.of("operation", "diag.echo"))).isEqualTo(2);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "completed"))).isEqualTo(1);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.fail", "status", "failed"))).isEqualTo(1);
    assertThat(r.histogramCount("osapi_job_duration_seconds",
        Map.of("operation", "diag.echo", "status", "completed"))).isEqualTo(1);
    assertThat(r.histogramCount("osapi_job_queue_wait_seconds", Map.of("operation", "diag.echo")))
        .isEqualTo(1);
    assertThat(r.counter("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))).isEqualTo(2);
    assertThat(r.gauge("osapi_jobs_active", NONE)).isEqualTo(0.0);
    assertThat(r.gauge("osapi_workers_connected", NONE)).isEqualTo(1.0);
    assertThat(r.gauge("osapi_worker_concurrency", NONE)).isEqualTo(4.0);
  }

  @Test
  void aReleasedAttemptCountsNothing() {
    metrics.jobs().jobStarted("diag.echo", Duration.ofMillis(1));
    metrics.jobs().jobReturned("diag.echo");
    metrics.jobs().jobFinished("diag.echo", "w1", JobOutcome.RELEASED, Duration.ofMillis(5));
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_jobs_active", NONE)).isEqualTo(0.0);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "completed"))).isZero();
    assertThat(r.histogramCount("osapi_job_duration_seconds",
        Map.of("operation", "diag.echo", "status", "completed"))).isZero();
  }

  @Test
  void redeliveriesAndDeadLetters() {
    metrics.jobs().jobRedelivered("diag.echo");
    metrics.jobs().jobRedelivered("diag.echo");
    metrics.jobs().jobDeadLettered("diag.echo");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_job_redeliveries_total", Map.of("operation", "diag.echo"))).isEqualTo(2);
    assertThat(r.counter("osapi_jobs_dead_lettered_total", Map.of("operation", "diag.echo"))).isEqualTo(1);
  }

  @Test
  void timedOutRunsAreCountedByOperation() {
    metrics.jobs().jobRunTimedOut("diag.echo");
    metrics.jobs().jobRunTimedOut("diag.echo");
    metrics.jobs().jobRunTimedOut("diag.fail");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_job_runs_timed_out_total", Map.of("operation", "diag.echo")))
        .isEqualTo(2);
    assertThat(r.counter("osapi_job_runs_timed_out_total", Map.of("operation", "diag.fail")))
        .isEqualTo(1);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "failed"))).isZero();
  }

  @Test
  void workersByStateShowEveryStateOnceRefreshed() {
    assertThat(read(metrics).gauge("osapi_workers_by_state", Map.of("state", "ready"))).isNull();
    metrics.fleet().workersByState(Map.of(SchedulingState.READY, 3L, SchedulingState.CORDONED, 1L));
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "ready"))).isEqualTo(3.0);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "draining"))).isEqualTo(0.0);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "cordoned"))).isEqualTo(1.0);
    metrics.fleet().workersByState(Map.of());
    assertThat(read(metrics).gauge("osapi_workers_by_state", Map.of("state", "ready")))
        .isEqualTo(0.0);
  }

  @Test
  void refusedJobsAreCountedByOperationAndReason() {
    metrics.jobs().jobRefused("diag.echo", RefusalReason.NOT_ALLOWED);
    metrics.jobs().jobRefused("diag.echo", RefusalReason.NOT_ALLOWED);
    metrics.jobs().jobRefused("diag.fail", RefusalReason.BAD_SIGNATURE);
    Readback r = read(metrics);
    assertThat(r.counter("osapi_jobs_refused_total",
        Map.of("operation", "diag.echo", "reason", "not_allowed"))).isEqualTo(2);
    assertThat(r.counter("osapi_jobs_refused_total",
        Map.of("operation", "diag.fail", "reason", "bad_signature"))).isEqualTo(1);
    assertThat(r.counter("osapi_jobs_refused_total",
        Map.of("operation", "diag.echo", "reason", "bad_signature"))).isZero();
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "failed"))).isZero();
  }

  @Test
  void supersededRunsAreCountedByOperation() {
    metrics.jobs().jobSuperseded("diag.echo");
    metrics.jobs().jobSuperseded("diag.echo");
    metrics.jobs().jobSuperseded("diag.fail");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_job_runs_superseded_total", Map.of("operation", "diag.echo")))
        .isEqualTo(2);
    assertThat(r.counter("osapi_job_runs_superseded_total", Map.of("operation", "diag.fail")))
        .isEqualTo(1);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "completed"))).isZero();
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "failed"))).isZero();
  }

  @Test
  void aLeavingWorkersSeriesGoAway() {
    metrics.jobs().workerConnected("w1", 2);
    metrics.jobs().workerConnected("w2", 2);
    metrics.jobs().jobStarted("diag.echo", null);
    metrics.jobs().jobReturned("diag.echo");
    metrics.jobs().jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(1));
    metrics.jobs().jobStarted("diag.echo", null);
    metrics.jobs().jobReturned("diag.echo");
    metrics.jobs().jobFinished("diag.echo", "w2", JobOutcome.COMPLETED, Duration.ofMillis(1));
    metrics.jobs().workerDisconnected("w1");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))).isZero();
    assertThat(r.counter("osapi_worker_jobs_processed_total", Map.of("worker", "w2"))).isEqualTo(1);
    assertThat(r.gauge("osapi_workers_connected", NONE)).isEqualTo(1.0);
  }

  @Test
  void theConnectionIsIdempotentAndReconnectsCountOnlyReconnects() {
    metrics.connection().connectionUp(true);
    metrics.connection().connectionUp(true);
    assertThat(read(metrics).gauge("osapi_nats_connected", NONE)).isEqualTo(1.0);
    metrics.connection().connectionUp(false);
    metrics.connection().connectionUp(false);
    metrics.connection().connectionUp(false);
    assertThat(read(metrics).gauge("osapi_nats_connected", NONE)).isEqualTo(0.0);
    metrics.connection().connectionUp(true);
    metrics.connection().reconnected();
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_nats_connected", NONE)).isEqualTo(1.0);
    assertThat(r.counter("osapi_nats_reconnects_total", NONE)).isEqualTo(1);
  }

  @Test
  void backlogHeartbeatsAndHealth() {
    metrics.fleet().queueBacklog(7, 2);
    metrics.fleet().jobQueues(Map.of("diag.echo", new io.osapi.core.domain.OperationQueue(7,
        Duration.ofMillis(12_500)), "other", io.osapi.core.domain.OperationQueue.EMPTY));
    metrics.fleet().workerHeartbeatAges(Map.of("w1", Duration.ofSeconds(3)));
    metrics.health().subsystemUp("nats", true);
    metrics.health().subsystemUp("http", false);
    metrics.health().componentUp(true);
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_jobs_pending", Map.of("operation", "diag.echo"))).isEqualTo(7.0);
    assertThat(r.gauge("osapi_jobs_pending", Map.of("operation", "other"))).isEqualTo(0.0);
    assertThat(r.gauge("osapi_job_queue_oldest_age_seconds", Map.of("operation", "diag.echo")))
        .isEqualTo(12.5);
    assertThat(r.gauge("osapi_job_queue_oldest_age_seconds", Map.of("operation", "other")))
        .isEqualTo(0.0);
    metrics.fleet().jobQueues(Map.of("other", io.osapi.core.domain.OperationQueue.EMPTY));
    assertThat(read(metrics).gauge("osapi_jobs_pending", Map.of("operation", "diag.echo")))
        .as("an operation no longer reported").isNull();
    assertThat(r.gauge("osapi_jobs_ack_pending", NONE)).isEqualTo(2.0);
    assertThat(r.gauge("osapi_worker_heartbeat_age_seconds", Map.of("worker", "w1"))).isEqualTo(3.0);
    assertThat(r.gauge("osapi_subsystem_up", Map.of("subsystem", "nats"))).isEqualTo(1.0);
    assertThat(r.gauge("osapi_subsystem_up", Map.of("subsystem", "http"))).isEqualTo(0.0);
    assertThat(r.gauge("osapi_component_up", NONE)).isEqualTo(1.0);
    metrics.fleet().workerHeartbeatAges(Map.of());
    assertThat(read(metrics).gauge("osapi_worker_heartbeat_age_seconds", Map.of("worker", "w1")))
        .isNull();
  }

  @Test
  void theJobIndexSizeAndLag() {
    metrics.fleet().jobIndex(1_000_000, 3);
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_job_index_jobs", NONE)).isEqualTo(1_000_000.0);
    assertThat(r.gauge("osapi_job_index_lag", NONE)).isEqualTo(3.0);
    metrics.fleet().jobIndex(10, 0);
    r = read(metrics);
    assertThat(r.gauge("osapi_job_index_jobs", NONE)).isEqualTo(10.0);
    assertThat(r.gauge("osapi_job_index_lag", NONE)).isEqualTo(0.0);
  }

  @Test
  void recordingNeverThrows() {
    String huge = "x".repeat(100_000);
    assertThatCode(() -> {
      metrics.jobs().jobCreated(null);
      metrics.jobs().jobCreated(huge);
      metrics.jobs().jobStarted(null, null);
      metrics.jobs().jobStarted("diag.echo", Duration.ofSeconds(-5));
      metrics.jobs().jobReturned(null);
      metrics.jobs().jobReturned(huge);
      metrics.jobs().jobFinished(null, null, null, null);
      metrics.jobs().jobFinished(huge, huge, JobOutcome.FAILED, Duration.ofDays(400));
      metrics.jobs().jobRedelivered(null);
      metrics.jobs().jobDeadLettered(null);
      metrics.jobs().jobSuperseded(null);
      metrics.jobs().jobSuperseded(huge);
      metrics.jobs().jobRunTimedOut(null);
      metrics.jobs().jobRunTimedOut(huge);
      metrics.fleet().workersByState(null);
      metrics.jobs().workerConnected(null, -1);
      metrics.jobs().workerDisconnected(null);
      metrics.jobs().workerDisconnected("never-connected");
      metrics.fleet().queueBacklog(-1, -1);
      metrics.fleet().workerHeartbeatAges(null);
      metrics.health().subsystemUp(null, true);
      metrics.fleet().jobIndex(-1, -1);
      read(metrics);
    }).doesNotThrowAnyException();
  }

  @Test
  void concurrentRecordingLosesNothing() throws Exception {
    int threads = 4;
    int perThread = 5_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch go = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      pool.execute(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < perThread; i++) {
          metrics.jobs().jobCreated("diag.echo");
          metrics.jobs().jobStarted("diag.echo", Duration.ofMillis(1));
          metrics.jobs().jobReturned("diag.echo");
          metrics.jobs().jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(2));
        }
      });
    }
    go.countDown();
    pool.shutdown();
    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
    Readback r = read(metrics);
    long n = (long) threads * perThread;
    assertThat(r.counter("osapi_jobs_created_total", Map.of("operation", "diag.echo"))).isEqualTo(n);
    assertThat(r.histogramCount("osapi_job_duration_seconds",
        Map.of("operation", "diag.echo", "status", "completed"))).isEqualTo(n);
    assertThat(r.gauge("osapi_jobs_active", NONE)).isEqualTo(0.0);
  }
}
