/**
 * The services of schedules: {@link io.osapi.core.scheduler.Schedules} (what callers may do,
 * validated) and {@link io.osapi.core.scheduler.Scheduler} (fires the ticks, each once across
 * the controllers), on the {@link io.osapi.core.schedule.ScheduleStore} port and the {@link
 * io.osapi.core.service.JobClient}.
 */
package io.osapi.core.scheduler;
