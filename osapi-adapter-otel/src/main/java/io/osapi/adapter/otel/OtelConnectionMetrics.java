package io.osapi.adapter.otel;

import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.port.ConnectionMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@link ConnectionMetrics} on the OpenTelemetry metrics API, exported as {@code
 * osapi_nats_connected} (only once a state was reported: a process without a broker connection
 * exports no false 0) and {@code osapi_nats_reconnects_total} (at 0 from the first state on). The
 * names keep the metrics contract's; the port names no broker. Never throws.
 */
public final class OtelConnectionMetrics implements ConnectionMetrics, AutoCloseable {
  /** Instrument name of {@code osapi_nats_connected}. */
  public static final String NATS_CONNECTED = "osapi.nats.connected";

  /** Instrument name of {@code osapi_nats_reconnects_total}. */
  public static final String NATS_RECONNECTS = "osapi.nats.reconnects";

  private final InternalErrors errors;
  private final LongCounter reconnects;
  private final List<AutoCloseable> observables = new ArrayList<>();

  /** -1 unknown, 0 disconnected, 1 connected. */
  private volatile int state = -1;

  /** Set by the first state: the reconnect counter exists from then on, at 0. */
  private volatile boolean started;

  /** Creates the instruments on {@code meter}. */
  public OtelConnectionMetrics(Meter meter) {
    this(meter, new InternalErrors());
  }

  OtelConnectionMetrics(Meter meter, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    reconnects =
        meter
            .counterBuilder(NATS_RECONNECTS)
            .setDescription("Successful reconnects to NATS.")
            .setUnit("{reconnect}")
            .build();
    observables.add(
        meter
            .gaugeBuilder(NATS_CONNECTED)
            .ofLongs()
            .setDescription("1 while connected to NATS, else 0.")
            .setUnit("{connection}")
            .buildWithCallback(
                m -> {
                  int s = state;
                  if (s >= 0) {
                    m.record(s);
                  }
                })
            ::close);
  }

  @Override
  public void connectionUp(boolean up) {
    state = up ? 1 : 0;
    if (!started) {
      try {
        reconnects.add(0);
      } catch (Throwable t) {
        errors.swallow("connectionUp", t);
      }
      started = true;
    }
  }

  @Override
  public void reconnected() {
    try {
      reconnects.add(1);
    } catch (Throwable t) {
      errors.swallow("reconnected", t);
    }
  }

  /** Unregisters the gauge's callback. */
  @Override
  public void close() {
    errors.closeAll(observables);
  }
}
