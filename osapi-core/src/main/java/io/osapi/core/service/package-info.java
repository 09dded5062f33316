/**
 * The driving side of osapi: the {@link io.osapi.core.service.JobClient} that creates and reads
 * jobs and the {@link io.osapi.core.service.WorkerService} that runs them. Both depend on the ports
 * and the domain only.
 */
package io.osapi.core.service;
