package io.osapi.app.runtime;

import io.osapi.core.service.JobTimeoutService;
import java.lang.System.Logger.Level;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Runs the controller's {@link JobTimeoutService}: subscribes to due job deadlines as soon as the
 * backend is connected (trying again every second until it is), unsubscribes on stop.
 */
public final class JobTimeoutRunner implements Managed {
  private static final System.Logger LOG = System.getLogger(JobTimeoutRunner.class.getName());

  private final JobTimeoutService timeouts;
  private final Backend backend;
  private final RetryingStart start;
  private volatile String lastError;

  /**
   * @param timeouts the service
   * @param backend its store and queue, to wait for
   */
  public JobTimeoutRunner(JobTimeoutService timeouts, Backend backend) {
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    this.backend = Objects.requireNonNull(backend, "backend");
    this.start = new RetryingStart("osapi-job-timeout-starter", this::tryStart);
  }

  @Override
  public String name() {
    return "job timeouts";
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
      timeouts.start();
      return true;
    } catch (RuntimeException e) {
      String msg = e.getClass().getSimpleName() + ": " + e.getMessage();
      if (!msg.equals(lastError)) {
        LOG.log(Level.WARNING, "job timeout handling cannot start yet: {0}", msg);
      }
      lastError = msg;
      return false;
    }
  }

  @Override
  public void stop(Instant deadline) {
    start.cancel();
    timeouts.close();
  }

  @Override
  public List<String> describe() {
    return List.of("job timeouts: broadcast runs still open at their job's deadline are failed"
        + " here");
  }
}
