package io.osapi.core.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * The job a schedule creates at each tick: the fields of a job create.
 *
 * @param type the operation type
 * @param data the operation data as JSON text, or null for none
 * @param target the target text, or null for {@code _any}
 * @param timeout a broadcast job's timeout, or null for the default
 */
public record ScheduleJob(String type, String data, String target, Duration timeout) {
  /** Checks for the type. */
  public ScheduleJob {
    Objects.requireNonNull(type, "type");
  }
}
