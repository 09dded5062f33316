package io.osapi.core.domain;

/**
 * The backlog of the shared {@code _any} consumers.
 *
 * @param pending notifications not yet delivered to any worker
 * @param ackPending delivered but not yet acknowledged
 */
public record QueueBacklog(long pending, long ackPending) {}
