package io.osapi.core.domain;

import java.util.List;
import java.util.Objects;

/**
 * What a job's workers and the API wrote about it: its status events and its results, each in any
 * order.
 *
 * @param events the status events
 * @param results the results
 */
public record JobHistory(List<StatusEvent> events, List<JobResult> results) {
  /** Copies both lists. */
  public JobHistory {
    events = List.copyOf(Objects.requireNonNull(events, "events"));
    results = List.copyOf(Objects.requireNonNull(results, "results"));
  }
}
