package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.port.HealthMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link HealthMetrics} on the OpenTelemetry metrics API: {@code osapi_component_up} (always
 * exported, 0 until reported ready) and {@code osapi_subsystem_up}, at most {@value
 * #MAX_SUBSYSTEMS} subsystems whose names pass the label rule (others are not exported). Never
 * throws.
 */
public final class OtelHealthMetrics implements HealthMetrics, AutoCloseable {
  /** Instrument name of {@code osapi_component_up}. */
  public static final String COMPONENT_UP = "osapi.component.up";

  /** Instrument name of {@code osapi_subsystem_up}. */
  public static final String SUBSYSTEM_UP = "osapi.subsystem.up";

  /** Most subsystems reported in {@code osapi_subsystem_up}. */
  public static final int MAX_SUBSYSTEMS = 32;

  static final AttributeKey<String> SUBSYSTEM = AttributeKey.stringKey("subsystem");

  /** One subsystem's state. */
  private static final class Subsystem {
    final Attributes attributes;
    volatile boolean up;

    Subsystem(String name) {
      this.attributes = Attributes.of(SUBSYSTEM, name);
    }
  }

  private final InternalErrors errors;
  private final ConcurrentHashMap<String, Subsystem> subsystems = new ConcurrentHashMap<>();
  private final List<AutoCloseable> observables = new ArrayList<>();
  private volatile boolean componentUp;

  /** Creates the instruments on {@code meter}. */
  public OtelHealthMetrics(Meter meter) {
    this(meter, new InternalErrors());
  }

  OtelHealthMetrics(Meter meter, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    observables.add(
        meter
            .gaugeBuilder(COMPONENT_UP)
            .ofLongs()
            .setDescription("1 when this process is ready, else 0.")
            .setUnit("{component}")
            .buildWithCallback(m -> m.record(componentUp ? 1 : 0))
            ::close);
    observables.add(
        meter
            .gaugeBuilder(SUBSYSTEM_UP)
            .ofLongs()
            .setDescription("1 when the subsystem (nats, http, worker, ...) is ok, else 0.")
            .setUnit("{subsystem}")
            .buildWithCallback(
                m -> {
                  for (Subsystem s : subsystems.values()) {
                    m.record(s.up ? 1 : 0, s.attributes);
                  }
                })
            ::close);
  }

  @Override
  public void subsystemUp(String subsystem, boolean up) {
    try {
      if (subsystem == null) {
        return;
      }
      Subsystem s = subsystems.get(subsystem);
      if (s == null) {
        if (!Labels.isValidLabel(subsystem) || subsystems.size() >= MAX_SUBSYSTEMS) {
          return; // not a bounded label value: not exported
        }
        s = subsystems.computeIfAbsent(subsystem, Subsystem::new);
      }
      s.up = up;
    } catch (Throwable t) {
      errors.swallow("subsystemUp", t);
    }
  }

  @Override
  public void componentUp(boolean up) {
    componentUp = up;
  }

  /** Unregisters the gauges' callbacks. */
  @Override
  public void close() {
    errors.closeAll(observables);
  }
}
