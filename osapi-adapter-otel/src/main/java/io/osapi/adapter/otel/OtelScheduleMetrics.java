package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.schedule.FireOutcome;
import io.osapi.core.schedule.ScheduleMetrics;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * {@link ScheduleMetrics} on the OpenTelemetry metrics API: {@code osapi_schedule_fires_total}
 * by {@code outcome} (fired, skipped_overlap, missed, failed; each exported from the start at 0).
 * No schedule name is a label: names are unbounded. Never throws.
 */
public final class OtelScheduleMetrics implements ScheduleMetrics {
  /** Instrument name of {@code osapi_schedule_fires_total}. */
  public static final String FIRES = "osapi.schedule.fires";

  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("outcome");

  private final InternalErrors errors;
  private final LongCounter fires;
  private final Map<FireOutcome, Attributes> outcomes = new EnumMap<>(FireOutcome.class);

  /** Creates the instrument on {@code meter}. */
  public OtelScheduleMetrics(Meter meter) {
    this(meter, new InternalErrors());
  }

  OtelScheduleMetrics(Meter meter, InternalErrors errors) {
    Objects.requireNonNull(meter, "meter");
    this.errors = Objects.requireNonNull(errors, "errors");
    fires = meter.counterBuilder(FIRES)
        .setDescription("Ticks of schedules dealt with, by outcome: fired (its job created),"
            + " skipped_overlap, missed (no controller within the catch-up window) or failed (its"
            + " job refused). Counted once across all controllers.")
        .setUnit("{tick}")
        .build();
    for (FireOutcome o : FireOutcome.values()) {
      Attributes a = Attributes.of(OUTCOME, o.wire());
      outcomes.put(o, a);
      fires.add(0, a);
    }
  }

  @Override
  public void ticks(FireOutcome outcome, long n) {
    if (n <= 0) {
      return;
    }
    try {
      fires.add(n, outcomes.get(outcome));
    } catch (Throwable t) {
      errors.swallow("ticks", t);
    }
  }
}
