package io.osapi.adapter.nats;

/**
 * Where a {@link NatsBackend} is in its life. One value, changed by {@link #next} only, replaces
 * the flags that used to say it piecemeal (connected once, closed, closed for good by jnats,
 * unusable settings).
 */
enum NatsPhase {
  /** Connecting for the first time. */
  STARTING,
  /** Connected at least once; the connection may be down now while jnats reconnects. */
  RUNNING,
  /** The server refused the configuration for good: no more provisioning, the connection stays. */
  CONFIG_FAILED,
  /** jnats closed the connection and will not try again. */
  LOST,
  /** Closed by its owner. */
  CLOSED;

  /** True when the connection will not come back. */
  boolean gone() {
    return this == LOST || this == CLOSED;
  }

  /** True when it gave up on its own or was closed: nothing will make it ready any more. */
  boolean settled() {
    return this == CONFIG_FAILED || gone();
  }

  /**
   * The phase after {@code event}: a first connect moves {@link #STARTING} to {@link #RUNNING};
   * a refused configuration and a lost connection end a live backend; closing ends any. A change
   * that does not apply (a reconnect after a refused configuration, anything after closing) keeps
   * the phase.
   */
  NatsPhase next(NatsPhase event) {
    return switch (event) {
      case STARTING -> this;
      case RUNNING -> this == STARTING ? RUNNING : this;
      case CONFIG_FAILED -> this == STARTING || this == RUNNING ? CONFIG_FAILED : this;
      case LOST -> this == CLOSED ? CLOSED : LOST;
      case CLOSED -> CLOSED;
    };
  }

  /** Why the ports cannot be used in this phase, {@code connected} telling the rest apart. */
  String notReady(boolean connected) {
    return switch (this) {
      case CLOSED -> "the NATS backend is closed";
      case LOST -> "the NATS connection was closed and will not come back";
      case CONFIG_FAILED -> "NATS cannot be used with these settings";
      default -> connected ? "NATS is connected but the stream and buckets are not ready yet"
          : "NATS is not connected yet";
    };
  }
}
