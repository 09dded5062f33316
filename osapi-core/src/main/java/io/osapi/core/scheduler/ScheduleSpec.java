package io.osapi.core.scheduler;

import io.osapi.core.schedule.ScheduleJob;

/**
 * What a caller asks for when creating or changing a schedule, unvalidated; in a change, a null
 * field keeps the schedule's value.
 *
 * @param cron a five-field cron expression, or null
 * @param every a period such as {@code 30s}, or null
 * @param timezone an IANA time zone for the cron expression, or null (UTC)
 * @param job the job each tick creates, or null
 * @param overlap {@code skip} or {@code allow}, or null ({@code skip})
 * @param catchupWindow such as {@code 5m}, or null ({@link Schedules#DEFAULT_CATCHUP})
 * @param paused whether it starts paused, or null (not paused)
 */
public record ScheduleSpec(String cron, String every, String timezone, ScheduleJob job,
    String overlap, String catchupWindow, Boolean paused) {}
