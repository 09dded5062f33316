package io.osapi.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.JobMetricsContract;
import io.osapi.core.domain.JobOutcome;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recording double passes the same kit as the real backends. */
class RecordingJobMetricsTest extends JobMetricsContract {
  @Test
  void supersededRunsAreTotalledAndKeepTheirLabelAsPassed() {
    RecordingJobMetrics m = new RecordingJobMetrics();
    m.jobSuperseded("diag.echo");
    m.jobSuperseded(null);
    assertThat(m.superseded("diag.echo")).isEqualTo(1);
    assertThat(m.superseded("null")).isEqualTo(1);
    assertThat(m.superseded("diag.fail")).isZero();
    assertThat(m.superseded()).isEqualTo(2);
    assertThat(m.finished(JobOutcome.COMPLETED) + m.finished(JobOutcome.FAILED)).isZero();
  }

  @Override
  protected Ports newMetrics() {
    return Ports.of(new RecordingJobMetrics());
  }

  @Override
  protected Readback read(Ports m) {
    RecordingJobMetrics r = (RecordingJobMetrics) m.jobs();
    return new Readback() {
      @Override
      public double counter(String family, Map<String, String> l) {
        return switch (family) {
          case "osapi_jobs_created_total" -> r.created(l.get("operation"));
          case "osapi_jobs_completed_total" ->
              r.finished(JobOutcome.valueOf(l.get("status").toUpperCase()), l.get("operation"));
          case "osapi_worker_jobs_processed_total" ->
              r.processedByWorker().getOrDefault(l.get("worker"), 0L);
          case "osapi_job_redeliveries_total" -> r.redeliveries(l.get("operation"));
          case "osapi_jobs_dead_lettered_total" -> r.deadLettered(l.get("operation"));
          case "osapi_job_runs_superseded_total" -> r.superseded(l.get("operation"));
          case "osapi_job_runs_timed_out_total" -> r.timedOut(l.get("operation"));
          case "osapi_jobs_refused_total" -> r.refused(l.get("operation"),
              io.osapi.core.domain.RefusalReason.valueOf(l.get("reason").toUpperCase()));
          case "osapi_nats_reconnects_total" -> r.reconnects();
          default -> throw new IllegalArgumentException(family);
        };
      }

      @Override
      public Double gauge(String family, Map<String, String> l) {
        return switch (family) {
          case "osapi_jobs_active" -> (double) r.active();
          case "osapi_workers_connected" -> (double) r.connectedWorkers().size();
          case "osapi_worker_concurrency" ->
              (double) r.connectedWorkers().values().stream().mapToInt(Integer::intValue).sum();
          case "osapi_nats_connected" -> (double) r.connected();
          case "osapi_jobs_pending" -> r.queues().containsKey(l.get("operation"))
              ? (double) r.queues().get(l.get("operation")).pending() : null;
          case "osapi_job_queue_oldest_age_seconds" -> r.queues().containsKey(l.get("operation"))
              ? r.queues().get(l.get("operation")).oldestAge().toMillis() / 1000.0 : null;
          case "osapi_jobs_ack_pending" -> (double) r.ackPending();
          case "osapi_worker_heartbeat_age_seconds" -> {
            Duration d = r.heartbeatAges().get(l.get("worker"));
            yield d == null ? null : d.toMillis() / 1000.0;
          }
          case "osapi_subsystem_up" -> {
            Boolean up = r.subsystems().get(l.get("subsystem"));
            yield up == null ? null : up ? 1.0 : 0.0;
          }
          case "osapi_component_up" -> r.componentUp() ? 1.0 : 0.0;
          case "osapi_job_index_jobs" -> r.indexJobs() < 0 ? null : (double) r.indexJobs();
          case "osapi_job_index_lag" -> r.indexBehind() < 0 ? null : (double) r.indexBehind();
          case "osapi_workers_by_state" -> {
            Long n = r.workersInState(
                io.osapi.core.domain.SchedulingState.fromWire(l.get("state")));
            yield n == null ? null : n.doubleValue();
          }
          default -> throw new IllegalArgumentException(family);
        };
      }

      @Override
      public long histogramCount(String family, Map<String, String> l) {
        return switch (family) {
          case "osapi_job_duration_seconds" ->
              r.finished(JobOutcome.valueOf(l.get("status").toUpperCase()), l.get("operation"));
          case "osapi_job_queue_wait_seconds" -> r.queueWaits(l.get("operation")).size();
          default -> throw new IllegalArgumentException(family);
        };
      }
    };
  }
}
