/**
 * Schedules: recurring jobs fired by the controllers. A {@link io.osapi.core.schedule.Schedule}
 * (a cadence, the job to create, the overlap policy, the catch-up window) is kept by a {@link
 * io.osapi.core.schedule.ScheduleStore} (a port: the embedded broker keeps a map, the NATS adapter
 * a key-value bucket), changed by compare-and-set; {@code io.osapi.core.scheduler.Scheduler}
 * fires each tick once however many controllers run, and {@code
 * io.osapi.core.scheduler.Schedules} validates what callers ask for. Cron expressions are parsed by a {@link
 * io.osapi.core.schedule.CronParser} the application supplies (the core depends on the JDK only);
 * {@code every} cadences are parsed here.
 */
package io.osapi.core.schedule;
