package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * One worker's view of a job.
 *
 * @param worker the worker id
 * @param state its highest-priority event
 * @param error the error of its failed event, or null
 * @param started first started time, or null
 * @param ended last terminal time, or null
 * @param duration ended minus started when both exist, or null
 */
public record WorkerState(
    String worker,
    EventType state,
    String error,
    Instant started,
    Instant ended,
    Duration duration) {}
