package io.osapi.core.schedule;

/**
 * Where the scheduler reports the ticks it dealt with ({@code osapi_schedule_fires_total}). Each
 * tick is reported once across all controllers: by the controller whose compare-and-set settled
 * it.
 */
public interface ScheduleMetrics {
  /** {@code n} ticks ended as {@code outcome}. */
  void ticks(FireOutcome outcome, long n);

  /** Metrics that go nowhere. */
  static ScheduleMetrics noop() {
    return (o, n) -> {};
  }
}
