package io.osapi.app.runtime;

import io.osapi.core.service.DeadLetterService;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Runs the controller's {@link DeadLetterService}: subscribes to exhausted deliveries as soon as
 * the backend is connected (trying again every second until it is), unsubscribes on stop.
 */
public final class DeadLetterRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(DeadLetterRunner.class.getName());

  private final DeadLetterService deadLetters;
  private final Backend backend;
  private final RetryingStart start;
  private volatile String lastError;

  /**
   * @param deadLetters the service
   * @param backend its store and queue, to wait for
   */
  public DeadLetterRunner(DeadLetterService deadLetters, Backend backend) {
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.start = new RetryingStart("osapi-dead-letter-starter", this::tryStart);
  }

  @Override
  public String name() {
    return "dead letters";
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
      deadLetters.start();
      return true;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "dead-letter handling cannot start yet: {0}", msg);
      }
      lastError = msg;
      return false;
    }
  }

  @Override
  public void stop(Instant deadline) {
    start.cancel();
    deadLetters.close();
  }

  @Override
  public List<String> describe() {
    return List.of("dead letters: jobs whose deliveries run out are failed here");
  }
}
