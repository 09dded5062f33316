package io.osapi.adapter.nats;

import io.osapi.core.domain.BackendUnavailableException;

/**
 * What the store, queue, registry and their helpers need of the connection: the session of the
 * moment, the settings, the adapter's retry threads and the epochs that tell a reconnect or a new
 * provisioning apart. {@link NatsBackend} is the one implementation; a test can give a port a link
 * of its own instead of a whole backend.
 */
interface NatsLink {
  /**
   * The session for a port call.
   *
   * @throws BackendUnavailableException when not connected or not provisioned yet
   */
  NatsSession requireSession();

  /** The settings the connection was made with. */
  NatsSettings settings();

  /** True while the connection is up. */
  boolean isConnected();

  /** True while connected with the stream and buckets in place. */
  boolean isReady();

  /** True once closed, by us or for good by jnats: the connection will not come back. */
  boolean isGone();

  /** The thread for the adapter's delayed work. */
  NatsRetry retry();

  /** The thread that settles creates whose outcome was unknown (its reads may wait long). */
  NatsRetry settle();

  /** Grows by one each time the connection comes up (first connect and every reconnect). */
  long connectionEpoch();

  /** Grows by one whenever the stream, buckets and shared consumers were checked again. */
  long provisionEpoch();

  /** The job bucket's settings on the server (this process's until it was seen). */
  NatsSession.JobBucket jobBucket();
}
