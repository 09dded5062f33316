package io.osapi.core.domain;

/**
 * What a store can tell about an event from its key alone, without reading the value: enough to
 * compute a job's status for listing and stats.
 *
 * @param type the event
 * @param worker the (sanitised) worker id or {@code _api}
 */
public record EventKey(EventType type, String worker) {}
