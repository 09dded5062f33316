package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.JetStreamManagement;
import io.osapi.core.contract.Fixtures;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Helpers shared by the integration tests. */
final class NatsTestSupport {
  private NatsTestSupport() {}

  /** Settings for tests: quick reconnects, short waits, a short sweep interval. */
  static NatsSettingsBuilder settings(List<String> urls) {
    return NatsSettings.builder()
        .servers(urls)
        .connectionName("osapi-test")
        .reconnectWait(Duration.ofMillis(250))
        .connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(3))
        .startupWait(Duration.ofSeconds(20))
        .sweepInterval(Duration.ofMillis(200));
  }

  static NatsSettingsBuilder settings(NatsServerProcess server) {
    return settings(List.of(server.url()));
  }

  /** A connected, ready backend. */
  static NatsBackend backend(NatsSettings settings, MetricsTap metrics) {
    NatsBackend b = NatsBackend.connect(settings, metrics, metrics);
    assertThat(b.isReady()).as("backend ready; last error %s", b.lastError()).isTrue();
    return b;
  }

  static NatsBackend backend(NatsServerProcess server, MetricsTap metrics) {
    return backend(settings(server).build(), metrics);
  }

  /** A connected, ready backend that reports no metrics. */
  static NatsBackend backend(NatsSettings settings) {
    NatsBackend b = NatsBackend.connect(settings);
    assertThat(b.isReady()).as("backend ready; last error %s", b.lastError()).isTrue();
    return b;
  }

  static NatsBackend backend(NatsServerProcess server) {
    return backend(settings(server).build());
  }

  /**
   * Removes every consumer and message of stream JOBS and every kept advisory and deadline, then lays out the
   * shared durables again.
   */
  static void resetQueue(NatsBackend b) throws Exception {
    NatsSession s = b.requireSession();
    JetStreamManagement jsm = s.jsm;
    for (String name : jsm.getConsumerNames(NatsLayout.STREAM)) {
      jsm.deleteConsumer(NatsLayout.STREAM, name);
    }
    jsm.purgeStream(NatsLayout.STREAM);
    jsm.purgeStream(NatsLayout.ADVISORY_STREAM);
    try {
      jsm.purgeStream(NatsLayout.DEADLINE_STREAM);
    } catch (io.nats.client.JetStreamApiException e) {
      // an older layout without it: provisioned below
    }
    NatsSession.provision(s.conn, s.settings);
  }

  /** Removes every key of a bucket (by the stream behind it). */
  static void purge(NatsBackend b, String kvStream) throws Exception {
    b.requireSession().jsm.purgeStream(kvStream);
  }

  /** Messages stored in stream JOBS. */
  static long streamMessages(NatsBackend b) throws Exception {
    return b.requireSession().jsm.getStreamInfo(NatsLayout.STREAM).getStreamState().getMsgCount();
  }

  /** What the stream, consumers and jobs look like, for failure messages. */
  static String diagnose(NatsBackend b, java.util.Collection<io.osapi.core.domain.JobId> ids) {
    StringBuilder sb = new StringBuilder();
    try {
      NatsSession s = b.requireSession();
      sb.append("stream ").append(s.jsm.getStreamInfo(NatsLayout.STREAM).getStreamState()).append('\n');
      for (var ci : s.jsm.getConsumers(NatsLayout.STREAM)) {
        sb.append("consumer ").append(ci.getName()).append(" pending ").append(ci.getNumPending())
            .append(" ackPending ").append(ci.getNumAckPending()).append(" redelivered ")
            .append(ci.getRedelivered()).append(" delivered ").append(ci.getDelivered())
            .append(" ackFloor ").append(ci.getAckFloor()).append('\n');
      }
      var statuses = Fixtures.statuses(b.store());
      java.util.Map<Object, Integer> counts = new java.util.TreeMap<>();
      for (var id : ids) {
        var st = statuses.get(id);
        counts.merge(String.valueOf(st == null ? "missing" : st.wire()), 1, Integer::sum);
        if (st != io.osapi.core.domain.JobStatus.COMPLETED) {
          sb.append("job ").append(id).append(' ').append(st).append(' ')
              .append(b.store().find(id).map(r -> b.store().runs(r.value()).toString())
                  .orElse("no record"))
              .append('\n');
        }
      }
      sb.append("statuses ").append(counts);
    } catch (Exception e) {
      sb.append("diagnosis failed: ").append(e);
    }
    return sb.toString();
  }

  /** Polls {@code condition} every 50 ms until it holds or {@code timeout} passes. */
  static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (condition.getAsBoolean()) {
          return true;
        }
      } catch (RuntimeException e) {
        // not yet
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
