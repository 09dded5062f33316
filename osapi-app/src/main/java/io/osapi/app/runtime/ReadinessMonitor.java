package io.osapi.app.runtime;

import io.osapi.core.port.HealthMetrics;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Whether the process is ready: its backend is connected, it has finished starting and every part
 * is healthy. {@link #refresh()} re-evaluates (the process calls it every second and around start
 * and stop) and feeds {@link HealthMetrics#subsystemUp} for the backend ({@code nats}) and each part's
 * subsystem ({@code http}, {@code worker}), and {@link HealthMetrics#componentUp}.
 */
public final class ReadinessMonitor {
  private final Backend backend;
  private final HealthMetrics metrics;
  private final List<Managed> parts = new CopyOnWriteArrayList<>();
  private volatile boolean started;
  private volatile Snapshot last = new Snapshot(false, Map.of(), Map.of("process", "starting"));

  /**
   * @param backend the store/queue backend
   * @param metrics where the readiness gauges go
   */
  public ReadinessMonitor(Backend backend, HealthMetrics metrics) {
    this.backend = Objects.requireNonNull(backend, "backend");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
  }

  /**
   * The readiness at one moment.
   *
   * @param ready whether the process is ready
   * @param subsystems each subsystem's state, by name
   * @param reasons why it is not ready, by subsystem (empty when ready)
   */
  public record Snapshot(boolean ready, Map<String, Boolean> subsystems,
      Map<String, String> reasons) {
    /** Copies the maps. */
    public Snapshot {
      subsystems = Map.copyOf(subsystems);
      reasons = Map.copyOf(reasons);
    }
  }

  /** Adds parts whose health counts. */
  public void track(List<Managed> more) {
    parts.addAll(more);
  }

  /** Marks the process as started (true) or stopping (false), and refreshes. */
  public void started(boolean value) {
    started = value;
    refresh();
  }

  /** Re-evaluates readiness and reports it to the metrics; returns the new state. */
  public synchronized Snapshot refresh() {
    Map<String, Boolean> subsystems = new TreeMap<>();
    Map<String, String> reasons = new TreeMap<>();
    boolean backendUp = backend.connected();
    if (!backendUp) {
      reasons.put(backend.subsystem().orElse("backend"), backend.problem().orElse("not connected"));
    }
    backend.subsystem().ifPresent(s -> subsystems.put(s, backendUp));
    for (Managed p : parts) {
      Optional<String> s = p.subsystem();
      boolean healthy = started && p.healthy();
      if (s.isPresent()) {
        subsystems.merge(s.get(), healthy, Boolean::logicalAnd);
        if (!healthy) {
          reasons.putIfAbsent(s.get(), started
              ? p.problem().orElse(p.name() + " is not running") : p.name() + " is not running");
        }
      }
    }
    if (!started) {
      reasons.put("process", "not started or stopping");
    }
    boolean ready = started && backendUp && subsystems.values().stream().allMatch(v -> v);
    subsystems.forEach(metrics::subsystemUp);
    metrics.componentUp(ready);
    last = new Snapshot(ready, subsystems, ready ? Map.of() : reasons);
    return last;
  }

  /** The state as of the last refresh. */
  public Snapshot current() {
    return last;
  }

  /** Whether the process was ready at the last refresh. */
  public boolean ready() {
    return last.ready();
  }
}
