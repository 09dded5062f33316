/** Schedules' cron expressions, read with cron-utils (the core has no cron parser of its own). */
package io.osapi.app.schedule;
