package io.osapi.adapter.nats;

import java.util.Objects;

/** A {@link NatsBackend} as its ports see it: the narrow {@link NatsLink}, none of its lifecycle. */
final class NatsBackendLink implements NatsLink {
  private final NatsBackend backend;

  NatsBackendLink(NatsBackend backend) {
    this.backend = Objects.requireNonNull(backend, "backend");
  }

  @Override
  public NatsSession requireSession() {
    return backend.requireSession();
  }

  @Override
  public NatsSettings settings() {
    return backend.settings();
  }

  @Override
  public boolean isConnected() {
    return backend.isConnected();
  }

  @Override
  public boolean isReady() {
    return backend.isReady();
  }

  @Override
  public boolean isGone() {
    return backend.isGone();
  }

  @Override
  public NatsRetry retry() {
    return backend.retry();
  }

  @Override
  public NatsRetry settle() {
    return backend.settle();
  }

  @Override
  public long connectionEpoch() {
    return backend.connectionEpoch();
  }

  @Override
  public long provisionEpoch() {
    return backend.provisionEpoch();
  }

  @Override
  public NatsSession.JobBucket jobBucket() {
    return backend.jobBucket();
  }
}
