package io.osapi.core.domain;

import java.util.List;

/**
 * One reading of a worker registry: the live workers by id, and how many entries were skipped
 * because they are not valid worker records (written by something other than an osapi worker, or
 * filed under a key that is not their id's).
 *
 * @param workers the live workers, sorted by id
 * @param invalid entries skipped in this reading
 */
public record WorkerRoster(List<WorkerInfo> workers, int invalid) {
  /** Copies the list; checks the count. */
  public WorkerRoster {
    workers = List.copyOf(workers);
    if (invalid < 0) {
      throw new IllegalArgumentException("invalid must not be negative");
    }
  }
}
