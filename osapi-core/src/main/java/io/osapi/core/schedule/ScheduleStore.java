package io.osapi.core.schedule;

import io.osapi.core.domain.Versioned;
import java.util.List;
import java.util.Optional;

/**
 * Where schedules are kept (a port), one value per name, changed by compare-and-set so that
 * controllers firing the same schedule at once agree on who fired a tick. Every implementation
 * passes the schedule store contract tests. Calls block for at most one round trip.
 *
 * <p>Every method throws {@link io.osapi.core.domain.BackendUnavailableException} while the store
 * is unreachable.
 */
public interface ScheduleStore {
  /** Schedules kept at most: creates past it are refused by the callers' service. */
  int MAX_SCHEDULES = 1_000;

  /**
   * Stores a new schedule.
   *
   * @return its revision
   * @throws io.osapi.core.domain.RevisionConflictException when a schedule of that name exists
   */
  long create(Schedule schedule);

  /** The schedule named {@code name} with its revision, or empty. */
  Optional<Versioned<Schedule>> get(String name);

  /** Every schedule with its revision, by name. */
  List<Versioned<Schedule>> list();

  /**
   * Replaces the schedule of the same name if it is still at {@code revision}.
   *
   * @return the new revision
   * @throws io.osapi.core.domain.RevisionConflictException when it changed, or is gone
   */
  long update(Schedule schedule, long revision);

  /**
   * Removes the schedule named {@code name}.
   *
   * @return whether there was one
   */
  boolean delete(String name);
}
