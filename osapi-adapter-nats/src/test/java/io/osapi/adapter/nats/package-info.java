/**
 * Integration tests of the NATS adapter against real {@code nats-server} processes: the core's
 * contract tests, workers on NATS, faults (server killed, worker abandoned, wrong credentials) and
 * a three-node cluster.
 */
package io.osapi.adapter.nats;
