package io.osapi.app.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.api.StreamInfo;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The limits of every stream and bucket, and who owns them, on real processes: nats-server, a
 * controller ({@code --job-ttl 2h --nats-max-bytes 64m --audit-retention 48h}) and a worker started as osapi does, the
 * worker with different settings ({@code --job-ttl 1s --nats-max-bytes 32m}). Every stream on the
 * server then has a byte limit and a max age or message limit, together within the controller's
 * 64 MiB; the job bucket keeps the controller's max age (the worker says so and adopts it, and a
 * job outlives the worker's 1 s); a controller whose {@code --job-ttl} is shorter than its job
 * timeout does not start, and a create whose timeout the store would not keep is a 400.
 * Streams are listed on stdout as {@code STREAM name ...}.
 */
class StreamLimitsIT {
  private static final List<String> OSAPI_STREAMS = List.of("JOBS", "JOBS_ADVISORIES",
      "JOBS_DEADLINES", "KV_osapi-jobs", "KV_osapi-workers", "KV_osapi-worker-state", "AUDIT",
      "KV_osapi-schedules", "KV_osapi-idempotency");

  @TempDir Path dir;

  @Test
  void everyStreamHasALimitAndOnlyControllersSetThem() throws Exception {
    int apiPort = Ports.free();
    int metricsPort = Ports.free();
    int workerMetricsPort = Ports.free();
    URI jobs = URI.create("http://127.0.0.1:" + apiPort + "/api/v1/jobs");
    try (NatsServer nats = NatsServer.start(dir);
        OsProcess controller = OsProcess.start("limits-controller", dir, Map.of(),
            OsProcess.javaJar(OsProcess.jar(), "controller", "--nats", nats.url(), "--api-addr",
                "127.0.0.1:" + apiPort, "--metrics-addr", "127.0.0.1:" + metricsPort,
                "--job-ttl", "2h", "--nats-max-bytes", "64m", "--audit-retention", "48h"))) {
      controller.await("controller ready", Duration.ofSeconds(60), () -> Http.status(
          URI.create("http://127.0.0.1:" + metricsPort + "/health/ready")) == 200);
      try (OsProcess worker = OsProcess.start("limits-worker", dir, Map.of(),
          OsProcess.javaJar(OsProcess.jar(), "worker", "--nats", nats.url(), "--worker-id",
              "lim-w", "--metrics-addr", "127.0.0.1:" + workerMetricsPort, "--job-ttl", "1s",
              "--nats-max-bytes", "32m"))) {
        worker.await("worker ready", Duration.ofSeconds(60), () -> Http.status(
            URI.create("http://127.0.0.1:" + workerMetricsPort + "/health/ready")) == 200);

        Map<String, StreamConfiguration> streams = streams(nats);
        assertThat(streams.keySet()).containsAll(OSAPI_STREAMS);
        long total = 0;
        for (Map.Entry<String, StreamConfiguration> e : streams.entrySet()) {
          StreamConfiguration c = e.getValue();
          System.out.println("STREAM " + e.getKey() + " max_age=" + c.getMaxAge() + " max_bytes="
              + c.getMaxBytes() + " max_msgs=" + c.getMaxMsgs() + " discard="
              + c.getDiscardPolicy() + " retention=" + c.getRetentionPolicy());
          assertThat(c.getMaxBytes()).as("max bytes of stream %s", e.getKey()).isPositive();
          assertThat(c.getMaxAge().isZero() && c.getMaxMsgs() <= 0)
              .as("stream %s has neither a max age nor a message limit", e.getKey()).isFalse();
          total += c.getMaxBytes();
        }
        assertThat(total).as("osapi's streams within the controller's --nats-max-bytes")
            .isLessThanOrEqualTo(64L << 20).isGreaterThan(32L << 20);
        // the audit trail: the controller's retention, one message per record, 8 % of 64 MiB
        assertThat(streams.get("AUDIT").getMaxAge()).isEqualTo(Duration.ofHours(48));
        assertThat(streams.get("AUDIT").getMaxMsgsPerSubject()).isEqualTo(1);
        assertThat(streams.get("AUDIT").getMaxBytes()).isEqualTo((64L << 20) / 100 * 8);
        // idempotency keys: the window (24 h by default), one value per key, 3 % of 64 MiB
        assertThat(streams.get("KV_osapi-idempotency").getMaxAge()).isEqualTo(Duration.ofHours(24));
        assertThat(streams.get("KV_osapi-idempotency").getMaxMsgsPerSubject()).isEqualTo(1);
        assertThat(streams.get("KV_osapi-idempotency").getMaxBytes())
            .isEqualTo((64L << 20) / 100 * 3);
        // the worker's --job-ttl 1s did not reach the bucket: the controller owns it
        assertThat(streams.get("KV_osapi-jobs").getMaxAge()).isEqualTo(Duration.ofHours(2));
        assertThat(worker.stdout() + worker.stderr())
            .contains("stream KV_osapi-jobs has max age PT2H (this process asks for PT1S)")
            .contains("not the owner");

        // a job outlives the worker's 1 s: it is still there, completed, well after it
        HttpResponse<String> created = Http.send("POST", jobs,
            "{\"operation\":{\"type\":\"diag.sleep\",\"data\":{\"seconds\":1.5}},"
                + "\"target\":\"lim-w\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String id = Http.json(created).get("job_id").asText();
        URI job = URI.create(jobs + "/" + id);
        controller.await("the job to complete", Duration.ofSeconds(30),
            () -> Http.get(job).body().contains("\"status\":\"completed\""));
        OsProcess.sleep(1500); // past the worker's TTL once more, after the run's last write
        assertThat(Http.status(job)).isEqualTo(200);
        assertThat(Http.json(Http.get(URI.create(jobs + "?status=completed")))
            .toString()).contains(id);

        // a timeout the store would not keep the job for is refused: 2 h less 1 min at most
        HttpResponse<String> tooLong = Http.send("POST", jobs,
            "{\"operation\":{\"type\":\"diag.echo\"},\"target\":\"lim-w\","
                + "\"timeout_seconds\":7200}");
        assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);
        assertThat(tooLong.body()).contains("timeout_seconds").contains("7140 s at most");
      }

      // a controller whose jobs would vanish before their timeout does not start
      try (OsProcess bad = OsProcess.start("limits-bad-controller", dir, Map.of(),
          OsProcess.javaJar(OsProcess.jar(), "controller", "--nats", nats.url(), "--api-addr",
              "127.0.0.1:" + Ports.free(), "--metrics-addr", "127.0.0.1:" + Ports.free(),
              "--job-ttl", "1s"))) {
        assertThat(bad.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
        assertThat(bad.stderr()).contains("--job-ttl").contains("at least --job-timeout");
      }
      assertThat(streams(nats).get("KV_osapi-jobs").getMaxAge()).isEqualTo(Duration.ofHours(2));
    }
  }

  private static Map<String, StreamConfiguration> streams(NatsServer nats) throws Exception {
    Map<String, StreamConfiguration> out = new TreeMap<>();
    try (Connection c = nats.connect()) {
      JetStreamManagement jsm = c.jetStreamManagement();
      for (StreamInfo si : jsm.getStreams()) {
        out.put(si.getConfiguration().getName(), si.getConfiguration());
      }
    }
    return out;
  }
}
