package io.osapi.adapter.nats;

/**
 * The server or the layout already on it cannot work with the settings (server too old, JetStream
 * off, replicas without a cluster, a stream that cannot be changed). Retrying does not help.
 */
final class NatsConfigException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  NatsConfigException(String message) {
    super(message);
  }

  NatsConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
