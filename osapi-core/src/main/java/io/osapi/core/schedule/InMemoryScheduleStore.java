package io.osapi.core.schedule;

import io.osapi.core.domain.RevisionConflictException;
import io.osapi.core.domain.Versioned;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The embedded broker's schedule store: a map in this process, revisions counted per store as a
 * NATS bucket counts them per stream. Thread-safe.
 */
public final class InMemoryScheduleStore implements ScheduleStore {
  private final Map<String, Versioned<Schedule>> byName = new TreeMap<>(); // guarded by this
  private long lastRevision; // guarded by this

  @Override
  public synchronized long create(Schedule schedule) {
    Objects.requireNonNull(schedule, "schedule");
    if (byName.containsKey(schedule.name())) {
      throw new RevisionConflictException("schedule " + schedule.name() + " exists");
    }
    return put(schedule);
  }

  @Override
  public synchronized Optional<Versioned<Schedule>> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public synchronized List<Versioned<Schedule>> list() {
    return new ArrayList<>(byName.values());
  }

  @Override
  public synchronized long update(Schedule schedule, long revision) {
    Objects.requireNonNull(schedule, "schedule");
    Versioned<Schedule> have = byName.get(schedule.name());
    if (have == null || have.revision() != revision) {
      throw new RevisionConflictException("schedule " + schedule.name() + " is at revision "
          + (have == null ? "none (gone)" : have.revision()) + ", not " + revision);
    }
    return put(schedule);
  }

  @Override
  public synchronized boolean delete(String name) {
    return byName.remove(name) != null;
  }

  private long put(Schedule s) {
    long r = ++lastRevision;
    byName.put(s.name(), new Versioned<>(s, r));
    return r;
  }
}
