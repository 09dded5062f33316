package io.osapi.app.runtime;

import io.osapi.app.config.ConfigException;
import io.osapi.app.config.HostPort;
import io.osapi.app.http.MetricsHttpServer;
import io.osapi.app.http.Readiness;
import java.net.BindException;
import java.net.URI;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The process's {@code /metrics}, {@code /health} and {@code /health/ready} endpoint (a {@link
 * MetricsHttpServer}) as a part of the process; {@code /health/ready} answers from the {@link
 * ReadinessMonitor}.
 */
public final class MetricsEndpoint implements Managed {
  private final HostPort address;
  private final MetricsHttpServer.Builder builder;
  private final ReadinessMonitor readiness;
  private volatile MetricsHttpServer server;

  /**
   * @param address where to listen
   * @param builder the server to start (what {@code /metrics} renders); address and readiness are
   *     set here
   * @param readiness answers {@code /health/ready}
   */
  public MetricsEndpoint(
      HostPort address, MetricsHttpServer.Builder builder, ReadinessMonitor readiness) {
    this.address = Objects.requireNonNull(address, "address");
    this.builder = Objects.requireNonNull(builder, "builder");
    this.readiness = Objects.requireNonNull(readiness, "readiness");
  }

  @Override
  public String name() {
    return "metrics endpoint";
  }

  @Override
  public synchronized void start() throws Exception {
    if (server != null) {
      return;
    }
    try {
      server =
          builder
              .bindAddress(address.host())
              .port(address.port())
              .readiness(this::readiness)
              .start();
    } catch (BindException e) {
      throw new ConfigException(
          "--metrics-addr", "cannot listen on " + address + ": " + e.getMessage());
    }
  }

  private Readiness readiness() {
    ReadinessMonitor.Snapshot s = readiness.current();
    if (s.ready()) {
      return Readiness.up();
    }
    Map<String, String> reasons = new HashMap<>(s.reasons());
    if (reasons.isEmpty()) {
      reasons.put("process", "not ready");
    }
    return Readiness.down(reasons);
  }

  /** The URL of {@code /metrics}. */
  public URI metricsUri() {
    MetricsHttpServer s = server;
    if (s == null) {
      throw new IllegalStateException("not started");
    }
    return URI.create("http://" + address.urlHost() + ":" + s.port() + "/metrics");
  }

  @Override
  public void stop(Instant deadline) {
    MetricsHttpServer s;
    synchronized (this) {
      s = server;
      server = null;
    }
    if (s != null) {
      s.close();
    }
  }

  @Override
  public Optional<String> subsystem() {
    return Optional.of("http");
  }

  @Override
  public boolean healthy() {
    return server != null;
  }

  @Override
  public List<String> describe() {
    return List.of("metrics:  " + metricsUri() + " (health: /health, /health/ready)");
  }
}
