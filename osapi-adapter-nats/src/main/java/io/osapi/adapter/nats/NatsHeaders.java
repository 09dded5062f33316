package io.osapi.adapter.nats;

/**
 * The names of the headers osapi writes on NATS messages, and the one of jnats' KV it reads: one
 * place for them, as {@link NatsLayout} is for subjects, streams, buckets and keys.
 */
final class NatsHeaders {
  private NatsHeaders() {}

  /** The header of a notification carrying its job's W3C {@code traceparent}. */
  static final String TRACEPARENT_HEADER = "traceparent";

  /** The header of a notification carrying its job's W3C {@code tracestate}. */
  static final String TRACESTATE_HEADER = "tracestate";

  /** Header on run writes: the run's state, so listings need no values. */
  static final String STATE_HEADER = "Osapi-State";

  /**
   * Header on run writes: the worker that holds or held the run (absent when none did), so
   * listings filter by worker without reading values.
   */
  static final String WORKER_HEADER = "Osapi-Worker";

  /** Header on job record writes: how many workers a broadcast job expects (0 for _any). */
  static final String EXPECTED_HEADER = "Osapi-Expected";

  /** Header on job record writes: the operation type, for listings. */
  static final String OPERATION_HEADER = "Osapi-Operation";

  /** Header on job record writes: the target's text, for listings. */
  static final String TARGET_HEADER = "Osapi-Target";

  /** Header on job record writes: the job's creation time, epoch nanoseconds, for listings. */
  static final String CREATED_HEADER = "Osapi-Created";

  /**
   * Header on record and run writes: the newest time of the value's timeline (and the job's
   * creation, on records), epoch nanoseconds, for listings.
   */
  static final String UPDATED_HEADER = "Osapi-Updated";

  /** KV header of delete and purge markers. */
  static final String KV_OPERATION_HEADER = "KV-Operation";
}
