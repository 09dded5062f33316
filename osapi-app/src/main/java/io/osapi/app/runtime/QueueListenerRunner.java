package io.osapi.app.runtime;

import io.osapi.core.service.QueueListener;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Runs one of the controller's {@link QueueListener}s (dead letters, job timeouts): starts it as
 * soon as the backend is connected (trying again every second until it starts), closes it on stop.
 */
public final class QueueListenerRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(QueueListenerRunner.class.getName());

  private final String name;
  private final String description;
  private final QueueListener listener;
  private final Backend backend;
  private final RetryingStart start;
  private volatile String lastError;

  /**
   * @param name the part's name, e.g. {@code dead letters}
   * @param description one line for the start-up summary
   * @param listener the service
   * @param backend its store and queue, to wait for
   */
  public QueueListenerRunner(
      String name, String description, QueueListener listener, Backend backend) {
    this.name = Objects.requireNonNull(name, "name");
    this.description = Objects.requireNonNull(description, "description");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.start = new RetryingStart("osapi-" + name.replace(' ', '-') + "-starter", this::tryStart);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() {
    start.begin();
  }

  private boolean tryStart() {
    if (!backend.connected()) {
      return false;
    }
    try {
      listener.start();
      return true;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "{0} cannot start yet: {1}", name, msg);
      }
      lastError = msg;
      return false;
    }
  }

  @Override
  public void stop(Instant deadline) {
    start.cancel();
    listener.close();
  }

  @Override
  public List<String> describe() {
    return List.of(name + ": " + description);
  }
}
