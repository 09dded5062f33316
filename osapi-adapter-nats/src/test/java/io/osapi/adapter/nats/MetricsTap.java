package io.osapi.adapter.nats;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import io.osapi.core.testing.RecordingJobMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link RecordingJobMetrics} that also remembers the sequence of {@code connectionUp} values,
 * so a test can see 1 → 0 → 1 rather than only the last value.
 */
final class MetricsTap implements JobMetrics, ConnectionMetrics, HealthMetrics {
  final RecordingJobMetrics recorded = new RecordingJobMetrics();
  private final List<Boolean> connected = new CopyOnWriteArrayList<>();

  /** The connectionUp values as 1/0, consecutive repeats collapsed. */
  List<Integer> connectedTransitions() {
    List<Integer> out = new ArrayList<>();
    for (Boolean b : connected) {
      int v = b ? 1 : 0;
      if (out.isEmpty() || out.get(out.size() - 1) != v) {
        out.add(v);
      }
    }
    return out;
  }

  /** Every connectionUp call, repeats included. */
  List<Boolean> connectedCalls() {
    return List.copyOf(connected);
  }

  @Override
  public void jobCreated(String operation) {
    recorded.jobCreated(operation);
  }

  @Override
  public void jobStarted(String operation, Duration queueWait) {
    recorded.jobStarted(operation, queueWait);
  }

  @Override
  public void jobReturned(String operation) {
    recorded.jobReturned(operation);
  }

  @Override
  public void jobFinished(String operation, String workerId, JobOutcome outcome, Duration duration) {
    recorded.jobFinished(operation, workerId, outcome, duration);
  }

  @Override
  public void jobRedelivered(String operation) {
    recorded.jobRedelivered(operation);
  }

  @Override
  public void jobDeadLettered(String operation) {
    recorded.jobDeadLettered(operation);
  }

  @Override
  public void jobSuperseded(String operation) {
    recorded.jobSuperseded(operation);
  }

  @Override
  public void jobRefused(String operation, io.osapi.core.domain.RefusalReason reason) {
    recorded.jobRefused(operation, reason);
  }

  @Override
  public void jobRunTimedOut(String operation) {
    recorded.jobRunTimedOut(operation);
  }

  @Override
  public void workerConnected(String workerId, int concurrency) {
    recorded.workerConnected(workerId, concurrency);
  }

  @Override
  public void workerDisconnected(String workerId) {
    recorded.workerDisconnected(workerId);
  }

  @Override
  public void connectionUp(boolean up) {
    connected.add(up);
    recorded.connectionUp(up);
  }

  @Override
  public void reconnected() {
    recorded.reconnected();
  }

  @Override
  public void subsystemUp(String subsystem, boolean up) {
    recorded.subsystemUp(subsystem, up);
  }

  @Override
  public void componentUp(boolean up) {
    recorded.componentUp(up);
  }
}
