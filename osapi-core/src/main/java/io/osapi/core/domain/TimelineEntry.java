package io.osapi.core.domain;

import java.time.Instant;

/**
 * One line of a job's human-readable history.
 *
 * @param time when
 * @param event the event name
 * @param worker who wrote it
 * @param message a sentence for people
 * @param error the error text of a failed event, or null
 */
public record TimelineEntry(
    Instant time, String event, String worker, String message, String error) {}
