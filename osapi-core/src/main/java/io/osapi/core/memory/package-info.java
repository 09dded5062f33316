/**
 * The embedded in-memory broker: real implementations of the store, queue and registry ports that
 * need no server, for embedding and tests. They pass the same contract tests as the NATS adapter.
 */
package io.osapi.core.memory;
