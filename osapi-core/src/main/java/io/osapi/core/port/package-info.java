/**
 * The driven ports of osapi: what the core needs from a store, a queue, a worker registry and a
 * metrics backend. All are interfaces; the embedded broker ({@code io.osapi.core.memory}) and the
 * NATS adapter implement the first three, the OTel adapter the metrics ports, one per role:
 * {@link io.osapi.core.port.JobMetrics} (jobs and this process's workers), {@link
 * io.osapi.core.port.FleetMetrics} (a controller's background views), {@link
 * io.osapi.core.port.ConnectionMetrics} (the broker connection, named after no broker) and {@link
 * io.osapi.core.port.HealthMetrics} (readiness).
 */
package io.osapi.core.port;
