/**
 * The NATS JetStream adapter: the job store, the job queue and the worker registry of osapi on
 * NATS (jnats, nats-server 2.9 or newer), with connection events driving the NATS metrics.
 *
 * <p>{@link io.osapi.adapter.nats.NatsBackend} is the only entry point: it connects, lays out
 * stream {@code JOBS} and buckets {@code osapi-jobs} and {@code osapi-workers}, and hands out the
 * ports. Nothing outside this package touches {@code io.nats}.
 */
package io.osapi.adapter.nats;
