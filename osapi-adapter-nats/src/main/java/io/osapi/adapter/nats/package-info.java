/**
 * The NATS JetStream adapter: the job store, the job queue and the worker registry of osapi on
 * NATS (jnats, nats-server 2.9 or newer), with connection events driving the NATS metrics.
 *
 * <p>{@link io.osapi.adapter.nats.NatsBackend} is the only entry point: it connects, lays out
 * streams {@code JOBS} (notifications) and {@code JOBS_ADVISORIES} (deliveries that ran out) and
 * buckets {@code osapi-jobs} (job records and runs, changed by compare-and-set) and {@code
 * osapi-workers}, and hands out the ports. {@code NatsLayout} spells every name. Nothing outside
 * this package touches {@code io.nats}.
 */
package io.osapi.adapter.nats;
