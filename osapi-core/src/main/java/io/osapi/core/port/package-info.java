/**
 * The driven ports of osapi: what the core needs from a store, a queue, a worker registry and a
 * metrics backend. All are interfaces; the embedded broker ({@code io.osapi.core.memory}) and the
 * NATS adapter implement the first three, the OTel adapter implements {@link
 * io.osapi.core.port.JobMetrics}.
 */
package io.osapi.core.port;
