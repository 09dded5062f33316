package io.osapi.adapter.nats;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real nats-server (free loopback port, temp store) and one {@link NatsBackend} on it for all
 * tests of a class: register as a static {@code @RegisterExtension} field.
 */
final class NatsServerExtension implements BeforeAllCallback, AfterAllCallback {
  private NatsServerProcess server;
  private NatsBackend backend;

  @Override
  public void beforeAll(ExtensionContext context) {
    server = NatsServerProcess.start();
    backend = NatsTestSupport.backend(server);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (backend != null) {
      backend.close();
    }
    if (server != null) {
      server.close();
    }
  }

  NatsBackend backend() {
    return backend;
  }

  NatsServerProcess server() {
    return server;
  }

  /** Empties stream {@code stream} (a bucket's backing stream), so each test starts clean. */
  void purge(String stream) {
    try {
      NatsTestSupport.purge(backend, stream);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** Empties stream {@code JOBS} and removes all consumers but the shared ones. */
  void resetQueue() {
    try {
      NatsTestSupport.resetQueue(backend);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
