package io.osapi.adapter.nats;

import io.osapi.core.schedule.ScheduleStore;

/**
 * The schedule store of a {@link NatsBackend}: bucket {@code osapi-schedules}, which only
 * controllers (the processes that own the layout) create and may use.
 */
public final class NatsSchedules {
  private NatsSchedules() {}

  /** The schedule store on {@code backend}'s connection; it works while the backend is ready. */
  public static ScheduleStore store(NatsBackend backend) {
    return new NatsScheduleStore(new NatsBackendLink(backend));
  }
}
