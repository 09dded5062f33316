package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;

/**
 * One worker's part of a job.
 *
 * @param worker the worker id
 * @param state its run's state, or null when it has not claimed the job yet (broadcast jobs)
 * @param error the error of its failed or released run, or null
 * @param started when its run was claimed, or null
 * @param ended when its run ended, or null
 * @param duration ended minus started when both exist, or null
 */
public record WorkerState(
    String worker,
    RunState state,
    String error,
    Instant started,
    Instant ended,
    Duration duration) {}
