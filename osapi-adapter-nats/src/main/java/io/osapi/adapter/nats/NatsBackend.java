package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.Nats;
import io.nats.client.Options;
import io.nats.client.api.ServerInfo;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.concurrent.Backoff;
import io.osapi.core.concurrent.DaemonThreads;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.port.Broker;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import io.osapi.core.port.WorkerRegistry;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The NATS backend of osapi: one connection, the streams and buckets on it, and the four ports.
 *
 * <p>{@link #connect} starts connecting in the background and keeps retrying (also when no server
 * answers at first); it waits at most {@link NatsSettings#startupWait()} before it returns, ready
 * or not. Once connected, stream {@code JOBS}, buckets {@code osapi-jobs} and {@code
 * osapi-workers} and the shared consumers are created or updated (again after every reconnect, so
 * a server that lost its state gets them back). Until then {@link #isReady()} is false and the
 * ports throw {@link BackendUnavailableException}.
 *
 * <p>Connection events drive {@link ConnectionMetrics#connectionUp} (1 while the connection is up,
 * reported on changes only, so repeated or late events change nothing) and {@link
 * ConnectionMetrics#reconnected} (once per RECONNECTED after a connection that had been up; jnats
 * fires DISCONNECTED once per failed attempt, and reports the first connection as RECONNECTED
 * when it needed retries, neither of which is a reconnect). It also reports subsystem {@code nats}
 * up while ready ({@link HealthMetrics#subsystemUp}).
 *
 * <p>Passwords, tokens and trust store passwords never appear in logs or exception messages.
 */
public final class NatsBackend implements Broker {
  private static final System.Logger LOG = System.getLogger(NatsBackend.class.getName());
  /** Provisioning tried again after a failure: 500 ms, doubling, at most 10 s. */
  private static final Backoff PROVISION_BACKOFF =
      new Backoff(Duration.ofMillis(250), Duration.ofSeconds(10), 2, 0.2);

  private final NatsSettings settings;
  private final ConnectionMetrics metrics;
  private final HealthMetrics health;
  private final ScheduledExecutorService provisioner;
  private final NatsRetry retry = new NatsRetry();
  /** Removal of creates with an unknown outcome: reads that may wait out a fail-over. */
  private final NatsRetry settle = new NatsRetry("osapi-nats-settle");
  private final NatsJobStore store;
  private final NatsJobQueue queue;
  private final NatsWorkerRegistry registry;
  private final NatsAuditLog audit;

  /** What the ports see of this backend. */
  private final NatsLink link = new NatsBackendLink(this);

  private final Object state = new Object();
  private volatile Connection conn; // written with state held
  private final NatsStatusReport status; // called with state held
  /** Changed with {@code state} held, by {@link NatsPhase#next} only; read without it. */
  private volatile NatsPhase phase = NatsPhase.STARTING;
  private boolean provisionScheduled; // guarded by state
  private int provisionFailures; // guarded by state
  private volatile NatsSession session;
  private volatile NatsSession.JobBucket jobBucket; // as of the last provisioning
  private volatile long provisionEpoch;
  private volatile long connectionEpoch;
  private final NatsErrorLog errors;

  private NatsBackend(NatsSettings settings, ConnectionMetrics metrics, HealthMetrics health) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.health = Objects.requireNonNull(health, "health");
    this.provisioner =
        Executors.newSingleThreadScheduledExecutor(
            DaemonThreads.single("osapi-nats-provision"));
    NotificationBodies bodies = new NotificationBodies(); // a job's JSON written once
    this.store = new NatsJobStore(link, bodies);
    this.queue = new NatsJobQueue(link, bodies);
    this.registry = new NatsWorkerRegistry(link);
    this.audit = new NatsAuditLog(link);
    this.errors = new NatsErrorLog(settings);
    this.status = new NatsStatusReport(metrics, health);
    this.jobBucket = NatsSession.JobBucket.asked(settings);
  }

  /**
   * Connects to NATS and prepares the stream and buckets, waiting at most {@link
   * NatsSettings#startupWait()}; when that is not enough the backend is returned not ready and
   * keeps trying in the background.
   *
   * @param settings where and how to connect
   * @param metrics where connection events go
   * @param health where subsystem {@code nats} is reported
   * @return the backend, ready or not (see {@link #isReady()} and {@link #lastError()})
   * @throws IllegalArgumentException for settings that can never work (an unreadable creds file
   *     or trust store, a trust store that does not open)
   */
  public static NatsBackend connect(
      NatsSettings settings, ConnectionMetrics metrics, HealthMetrics health) {
    NatsBackend b = new NatsBackend(settings, metrics, health);
    b.start();
    try {
      b.awaitReady(settings.startupWait());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return b;
  }
  /** {@link #connect(NatsSettings, ConnectionMetrics, HealthMetrics)} with no metrics. */
  public static NatsBackend connect(NatsSettings settings) {
    return connect(settings, ConnectionMetrics.noop(), HealthMetrics.noop());
  }

  /**
   * Waits until the backend is ready, it gave up (authentication refused, a configuration the
   * server cannot take, closed), or {@code timeout} passed.
   *
   * @return whether it is ready
   */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    synchronized (state) {
      while (!isReady() && !phase.settled()) {
        long left = end - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(state, left);
      }
    }
    return isReady();
  }

  /** The job store on bucket {@code osapi-jobs}. */
  @Override
  public JobStore store() {
    return store;
  }

  /** The job queue on stream {@code JOBS}. */
  @Override
  public JobQueue queue() {
    return queue;
  }

  /** The worker registry on bucket {@code osapi-workers}. */
  @Override
  public WorkerRegistry registry() {
    return registry;
  }

  /** The audit log on stream {@code AUDIT} (a controller's: workers may not use it). */
  @Override
  public AuditLog audit() {
    return audit;
  }

  /** True while the connection is up. */
  public boolean isConnected() {
    Connection c = conn; // volatile reads, no lock: called on every store and queue operation
    return c != null && !phase.gone() && c.getStatus() == Connection.Status.CONNECTED;
  }

  /** True while connected with the stream and buckets in place: the ports can work. */
  public boolean isReady() {
    return session != null && isConnected();
  }

  /**
   * The latest problem (connection refused, authentication failed, provisioning failed), empty
   * once things work again. Never contains secrets.
   */
  public Optional<String> lastError() {
    return Optional.ofNullable(errors.last());
  }

  /** The settings this backend was made with. */
  public NatsSettings settings() {
    return settings;
  }

  /**
   * Closes the connection at once: nothing is drained, deliveries not yet acknowledged are
   * redelivered by the server after their ack wait. Idempotent.
   */
  @Override
  public void close() {
    Connection c;
    synchronized (state) {
      if (phase == NatsPhase.CLOSED) {
        return;
      }
      phase = phase.next(NatsPhase.CLOSED);
      c = conn;
      state.notifyAll();
    }
    provisioner.shutdownNow();
    queue.closeAll();
    retry.close();
    settle.close();
    if (c != null) {
      try {
        c.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    synchronized (state) {
      report();
    }
    LOG.log(Level.INFO, "NATS connection {0} closed", settings.connectionName());
  }

  // ---- used by the ports

  /**
   * The session for a port call.
   *
   * @throws BackendUnavailableException when not connected or not provisioned yet
   */
  NatsSession requireSession() {
    NatsSession s = session;
    if (s == null) {
      throw new BackendUnavailableException(notReadyReason(), null);
    }
    if (!isConnected()) {
      String e = errors.last();
      throw new BackendUnavailableException(
          "NATS is not connected" + (e == null ? "" : " (" + e + ")"), null);
    }
    return s;
  }

  /** The thread for the adapter's delayed work; closed with this backend. */
  NatsRetry retry() {
    return retry;
  }

  /**
   * The thread that settles creates whose outcome was unknown: apart from {@link #retry()}, as its
   * reads may wait out a fail-over, and publishes tried again must not wait behind them.
   */
  NatsRetry settle() {
    return settle;
  }

  /** Grows by one each time the connection comes up (first connect and every reconnect). */
  long connectionEpoch() {
    return connectionEpoch;
  }

  /** True once closed, by us or for good by jnats: the connection will not come back. */
  boolean isGone() {
    synchronized (state) {
      return phase.gone();
    }
  }

  /** The job bucket's settings on the server (this process's until it was seen). */
  NatsSession.JobBucket jobBucket() {
    return jobBucket;
  }

  /** True once the stream and buckets were prepared (the connection may be down now). */
  boolean wasReady() {
    return session != null;
  }

  /** Grows by one whenever the stream, buckets and shared consumers were checked again. */
  long provisionEpoch() {
    return provisionEpoch;
  }

  private String notReadyReason() {
    String e = errors.last();
    String base = phase.notReady(isConnected());
    return e == null ? base : base + ": " + e;
  }

  // ---- connection lifecycle

  private void start() {
    Options options = options();
    synchronized (state) {
      status.reset();
    }
    LOG.log(Level.INFO, "connecting to NATS: {0}", settings);
    try {
      Nats.connectAsynchronously(options, true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the NATS connection", e);
    }
  }

  private Options options() {
    return NatsOptions.build(settings, this::onConnectionEvent, errors);
  }

  private void onConnectionEvent(Connection c, ConnectionListener.Events type) {
    boolean provision = false;
    boolean closeLate = false;
    synchronized (state) {
      if (conn == null) {
        conn = c;
      }
      if (phase == NatsPhase.CLOSED) {
        closeLate = c.getStatus() != Connection.Status.CLOSED;
      } else {
        switch (type) {
          case CONNECTED, RECONNECTED -> {
            boolean first = phase == NatsPhase.STARTING;
            if (type == ConnectionListener.Events.RECONNECTED && !first) {
              metrics.reconnected();
              LOG.log(Level.INFO, "NATS reconnected to {0}", url(c));
            } else if (first) {
              LOG.log(Level.INFO, "NATS connected to {0}", url(c));
            }
            phase = phase.next(NatsPhase.RUNNING);
            connectionEpoch++;
            errors.connected();
            provision = true;
          }
          case DISCONNECTED -> {
            if (status.connected()) {
              LOG.log(Level.WARNING, "NATS connection lost; reconnecting");
            }
          }
          case CLOSED -> {
            phase = phase.next(NatsPhase.LOST);
            String e = errors.last();
            LOG.log(
                Level.ERROR,
                "NATS connection closed by the client library and will not be retried"
                    + (e == null ? "" : ": " + e));
          }
          default -> {
            // RESUBSCRIBED, DISCOVERED_SERVERS, LAME_DUCK: nothing to report
          }
        }
        report();
      }
      state.notifyAll();
    }
    if (closeLate) {
      Thread t = DaemonThreads.single("osapi-nats-close").newThread(() -> closeQuietly(c));
      t.start();
    }
    if (provision) {
      scheduleProvision(0);
    }
  }

  /** Reports connected and ready on changes only. Call with {@code state} held. */
  private void report() {
    Connection c = conn;
    boolean up = !phase.gone() && c != null && c.getStatus() == Connection.Status.CONNECTED;
    status.report(up, up && session != null);
  }

  private void scheduleProvision(long delayMs) {
    synchronized (state) {
      if (provisionScheduled || phase == NatsPhase.CLOSED || phase == NatsPhase.CONFIG_FAILED) {
        return;
      }
      provisionScheduled = true;
    }
    try {
      provisioner.schedule(this::provision, delayMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed meanwhile
    }
  }

  private void provision() {
    Connection c;
    synchronized (state) {
      provisionScheduled = false;
      c = conn;
      if (phase == NatsPhase.CLOSED || c == null) {
        return;
      }
    }
    if (c.getStatus() != Connection.Status.CONNECTED) {
      return; // the next CONNECTED or RECONNECTED schedules it again
    }
    try {
      jobBucket = NatsSession.provision(c, settings);
      boolean first = session == null;
      if (first) {
        session = NatsSession.open(c, settings);
      }
      errors.clear();
      provisionEpoch++;
      synchronized (state) {
        provisionFailures = 0;
        report();
        state.notifyAll();
      }
      if (first) {
        ServerInfo si = c.getServerInfo();
        LOG.log(Level.INFO, "NATS ready: nats-server {0} {1} at {2}; stream {3} (replicas {4}),"
            + " buckets {5} and {6} (replicas {7}), {8} storage", si.getServerName(),
            si.getVersion(), url(c), NatsLayout.STREAM, settings.streamReplicas(),
            NatsLayout.JOBS_BUCKET, NatsLayout.WORKERS_BUCKET, settings.kvReplicas(),
            settings.storage().name().toLowerCase(java.util.Locale.ROOT));
      } else {
        LOG.log(Level.DEBUG, "NATS stream and buckets checked after reconnect");
      }
    } catch (NatsConfigException e) {
      errors.set(e.getMessage());
      LOG.log(Level.ERROR, "NATS cannot be used: " + e.getMessage());
      synchronized (state) {
        phase = phase.next(NatsPhase.CONFIG_FAILED);
        state.notifyAll();
      }
    } catch (Exception e) {
      long delay;
      synchronized (state) {
        provisionFailures++;
        delay = PROVISION_BACKOFF.delayMillis(provisionFailures);
      }
      errors.report("preparing the stream and buckets failed: " + NatsErrors.describe(e),
          Level.WARNING, false);
      scheduleProvision(delay);
    }
  }

  private static String url(Connection c) {
    return NatsErrors.redact(String.valueOf(c.getConnectedUrl()));
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
