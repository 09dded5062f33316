package io.osapi.core.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.SchedulingState;
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
 * The compatibility kit every {@link JobMetrics} backend runs: the figures the metrics contract
 * promises, read back through the backend's own view of its series.
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

  /** The backend under test, new for each test. */
  protected JobMetrics metrics;

  /** A new backend that knows the operations {@code diag.echo} and {@code diag.fail}. */
  protected abstract JobMetrics newMetrics();

  /** A view of what {@code metrics} exports now. */
  protected abstract Readback read(JobMetrics metrics);

  @BeforeEach
  void setUpMetrics() {
    metrics = newMetrics();
  }

  private static final Map<String, String> NONE = Map.of();

  @Test
  void countsAJobsLife() {
    metrics.workerConnected("w1", 4);
    metrics.jobCreated("diag.echo");
    metrics.jobCreated("diag.echo");
    metrics.jobStarted("diag.echo", Duration.ofMillis(20));
    assertThat(read(metrics).gauge("osapi_jobs_active", NONE)).isEqualTo(1.0);
    metrics.jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(30));
    metrics.jobStarted("diag.fail", Duration.ofMillis(20));
    metrics.jobFinished("diag.fail", "w1", JobOutcome.FAILED, Duration.ofMillis(30));
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
  void aReleasedAttemptOnlyLowersActive() {
    metrics.jobStarted("diag.echo", Duration.ofMillis(1));
    metrics.jobFinished("diag.echo", "w1", JobOutcome.RELEASED, Duration.ofMillis(5));
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_jobs_active", NONE)).isEqualTo(0.0);
    assertThat(r.counter("osapi_jobs_completed_total",
        Map.of("operation", "diag.echo", "status", "completed"))).isZero();
    assertThat(r.histogramCount("osapi_job_duration_seconds",
        Map.of("operation", "diag.echo", "status", "completed"))).isZero();
  }

  @Test
  void redeliveriesAndDeadLetters() {
    metrics.jobRedelivered("diag.echo");
    metrics.jobRedelivered("diag.echo");
    metrics.jobDeadLettered("diag.echo");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_job_redeliveries_total", Map.of("operation", "diag.echo"))).isEqualTo(2);
    assertThat(r.counter("osapi_jobs_dead_lettered_total", Map.of("operation", "diag.echo"))).isEqualTo(1);
  }

  @Test
  void timedOutRunsAreCountedByOperation() {
    metrics.jobRunTimedOut("diag.echo");
    metrics.jobRunTimedOut("diag.echo");
    metrics.jobRunTimedOut("diag.fail");
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
    metrics.workersByState(Map.of(SchedulingState.READY, 3L, SchedulingState.CORDONED, 1L));
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "ready"))).isEqualTo(3.0);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "draining"))).isEqualTo(0.0);
    assertThat(r.gauge("osapi_workers_by_state", Map.of("state", "cordoned"))).isEqualTo(1.0);
    metrics.workersByState(Map.of());
    assertThat(read(metrics).gauge("osapi_workers_by_state", Map.of("state", "ready")))
        .isEqualTo(0.0);
  }

  @Test
  void supersededRunsAreCountedByOperation() {
    metrics.jobSuperseded("diag.echo");
    metrics.jobSuperseded("diag.echo");
    metrics.jobSuperseded("diag.fail");
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
    metrics.workerConnected("w1", 2);
    metrics.workerConnected("w2", 2);
    metrics.jobStarted("diag.echo", null);
    metrics.jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(1));
    metrics.jobStarted("diag.echo", null);
    metrics.jobFinished("diag.echo", "w2", JobOutcome.COMPLETED, Duration.ofMillis(1));
    metrics.workerDisconnected("w1");
    Readback r = read(metrics);
    assertThat(r.counter("osapi_worker_jobs_processed_total", Map.of("worker", "w1"))).isZero();
    assertThat(r.counter("osapi_worker_jobs_processed_total", Map.of("worker", "w2"))).isEqualTo(1);
    assertThat(r.gauge("osapi_workers_connected", NONE)).isEqualTo(1.0);
  }

  @Test
  void natsConnectionIsIdempotentAndReconnectsCountOnlyReconnects() {
    metrics.natsConnected(true);
    metrics.natsConnected(true);
    assertThat(read(metrics).gauge("osapi_nats_connected", NONE)).isEqualTo(1.0);
    metrics.natsConnected(false);
    metrics.natsConnected(false);
    metrics.natsConnected(false);
    assertThat(read(metrics).gauge("osapi_nats_connected", NONE)).isEqualTo(0.0);
    metrics.natsConnected(true);
    metrics.natsReconnected();
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_nats_connected", NONE)).isEqualTo(1.0);
    assertThat(r.counter("osapi_nats_reconnects_total", NONE)).isEqualTo(1);
  }

  @Test
  void backlogHeartbeatsAndHealth() {
    metrics.queueBacklog(7, 2);
    metrics.workerHeartbeatAges(Map.of("w1", Duration.ofSeconds(3)));
    metrics.subsystemUp("nats", true);
    metrics.subsystemUp("http", false);
    metrics.componentUp(true);
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_jobs_pending", NONE)).isEqualTo(7.0);
    assertThat(r.gauge("osapi_jobs_ack_pending", NONE)).isEqualTo(2.0);
    assertThat(r.gauge("osapi_worker_heartbeat_age_seconds", Map.of("worker", "w1"))).isEqualTo(3.0);
    assertThat(r.gauge("osapi_subsystem_up", Map.of("subsystem", "nats"))).isEqualTo(1.0);
    assertThat(r.gauge("osapi_subsystem_up", Map.of("subsystem", "http"))).isEqualTo(0.0);
    assertThat(r.gauge("osapi_component_up", NONE)).isEqualTo(1.0);
    metrics.workerHeartbeatAges(Map.of());
    assertThat(read(metrics).gauge("osapi_worker_heartbeat_age_seconds", Map.of("worker", "w1")))
        .isNull();
  }

  @Test
  void theJobIndexSizeAndLag() {
    metrics.jobIndex(1_000_000, 3);
    Readback r = read(metrics);
    assertThat(r.gauge("osapi_job_index_jobs", NONE)).isEqualTo(1_000_000.0);
    assertThat(r.gauge("osapi_job_index_lag", NONE)).isEqualTo(3.0);
    metrics.jobIndex(10, 0);
    r = read(metrics);
    assertThat(r.gauge("osapi_job_index_jobs", NONE)).isEqualTo(10.0);
    assertThat(r.gauge("osapi_job_index_lag", NONE)).isEqualTo(0.0);
  }

  @Test
  void recordingNeverThrows() {
    String huge = "x".repeat(100_000);
    assertThatCode(() -> {
      metrics.jobCreated(null);
      metrics.jobCreated(huge);
      metrics.jobStarted(null, null);
      metrics.jobStarted("diag.echo", Duration.ofSeconds(-5));
      metrics.jobFinished(null, null, null, null);
      metrics.jobFinished(huge, huge, JobOutcome.FAILED, Duration.ofDays(400));
      metrics.jobRedelivered(null);
      metrics.jobDeadLettered(null);
      metrics.jobSuperseded(null);
      metrics.jobSuperseded(huge);
      metrics.jobRunTimedOut(null);
      metrics.jobRunTimedOut(huge);
      metrics.workersByState(null);
      metrics.workerConnected(null, -1);
      metrics.workerDisconnected(null);
      metrics.workerDisconnected("never-connected");
      metrics.queueBacklog(-1, -1);
      metrics.workerHeartbeatAges(null);
      metrics.subsystemUp(null, true);
      metrics.jobIndex(-1, -1);
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
          metrics.jobCreated("diag.echo");
          metrics.jobStarted("diag.echo", Duration.ofMillis(1));
          metrics.jobFinished("diag.echo", "w1", JobOutcome.COMPLETED, Duration.ofMillis(2));
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
