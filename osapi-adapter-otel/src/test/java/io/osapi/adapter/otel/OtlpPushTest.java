package io.osapi.adapter.otel;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.port.JobMetrics;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The optional OTLP http/protobuf push, against a real local HTTP receiver that decodes every
 * push with the OTLP protobuf definitions: names, descriptions, units, temporality, histogram
 * bounds and the resource, for a worker's and a controller's figures.
 */
@Timeout(30)
class OtlpPushTest {

  record Received(String method, String path, String contentType,
      ExportMetricsServiceRequest request) {}

  private HttpServer receiver;
  private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext(
        "/",
        exchange -> {
          byte[] body = exchange.getRequestBody().readAllBytes();
          received.add(
              new Received(
                  exchange.getRequestMethod(),
                  exchange.getRequestURI().getPath(),
                  exchange.getRequestHeaders().getFirst("Content-Type"),
                  ExportMetricsServiceRequest.parseFrom(body)));
          exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  @Test
  void aWorkersPushCarriesItsFamiliesWithUnitsTemporalityBoundsAndResource() throws Exception {
    Map<String, Metric> m = push("osapi-worker", "worker-instance-1", (jm, backend) -> {
      jm.workerConnected("w1", 4);
      jm.jobStarted("node.hostname.get", Duration.ofMillis(30));
      jm.jobReturned("node.hostname.get");
      jm.jobFinished("node.hostname.get", "w1", JobOutcome.COMPLETED, Duration.ofMillis(120));
    }, "osapi.job.duration");
    Metric completed = m.get("osapi.jobs.completed");
    assertThat(completed.getDescription()).isNotBlank();
    assertThat(completed.getSum().getIsMonotonic()).isTrue();
    assertThat(completed.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    assertThat(completed.getSum().getDataPointsList()).anySatisfy(p -> {
      assertThat(attributes(p.getAttributesList()))
          .containsEntry("operation", "node.hostname.get").containsEntry("status", "completed");
      assertThat(p.getAsInt() + (long) p.getAsDouble()).isEqualTo(1);
    });
    Metric duration = m.get("osapi.job.duration");
    assertThat(duration.getUnit()).isEqualTo("s");
    assertThat(duration.getDescription()).isNotBlank();
    assertThat(duration.getHistogram().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    var point = duration.getHistogram().getDataPointsList().stream()
        .filter(p -> p.getCount() == 1).findFirst().orElseThrow();
    assertThat(point.getExplicitBoundsList()).isEqualTo(OtelJobMetrics.DEFAULT_DURATION_BUCKETS);
    assertThat(point.getSum()).isEqualTo(0.12, org.assertj.core.data.Offset.offset(1e-9));
    Metric queueWait = m.get("osapi.job.queue_wait");
    assertThat(queueWait.getUnit()).isEqualTo("s");
    assertThat(queueWait.getHistogram().getDataPointsList()).anySatisfy(p -> {
      assertThat(p.getCount()).isEqualTo(1);
      assertThat(p.getExplicitBoundsList()).isEqualTo(OtelJobMetrics.DEFAULT_QUEUE_WAIT_BUCKETS);
    });
    assertThat(m).containsKeys("osapi.jobs.active", "osapi.worker.concurrency",
        "osapi.worker.jobs_processed", "osapi.job.redeliveries");
  }

  @Test
  void aControllersPushCarriesItsFamiliesAndResource() throws Exception {
    Map<String, Metric> m = push("osapi-controller", "controller-instance-1", (jm, backend) -> {
      jm.jobCreated("node.hostname.get");
      backend.fleetMetrics().queueBacklog(99, 2); // pending here is not exported
      backend.fleetMetrics().jobQueues(java.util.Map.of("node.hostname.get",
          new io.osapi.core.domain.OperationQueue(7, java.time.Duration.ofSeconds(3))));
      backend.connectionMetrics().connectionUp(true);
    }, "osapi.jobs.pending");
    Metric created = m.get("osapi.jobs.created");
    assertThat(created.getDescription()).isNotBlank();
    assertThat(created.getSum().getIsMonotonic()).isTrue();
    assertThat(created.getSum().getAggregationTemporality())
        .isEqualTo(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE);
    assertThat(created.getSum().getDataPointsList())
        .anySatisfy(p -> {
          assertThat(attributes(p.getAttributesList()))
              .containsEntry("operation", "node.hostname.get");
          assertThat(p.getAsInt() + (long) p.getAsDouble()).isEqualTo(1);
        });
    Metric pending = m.get("osapi.jobs.pending");
    assertThat(pending.hasGauge()).isTrue();
    assertThat(pending.getGauge().getDataPoints(0).getAsInt()
        + (long) pending.getGauge().getDataPoints(0).getAsDouble()).isEqualTo(7);
    assertThat(attributes(pending.getGauge().getDataPoints(0).getAttributesList()))
        .containsEntry("operation", "node.hostname.get");
    assertThat(m).containsKeys("osapi.jobs.ack_pending", "osapi.nats.connected",
        "osapi.job.queue_oldest_age");
  }

  /**
   * Runs {@code record} against a backend pushing to the receiver, and returns the metrics of the
   * first push that holds {@code awaited}, by name, after checking the request and the resource.
   */
  private Map<String, Metric> push(String service, String instance, BiConsumer<JobMetrics, OtelMetricsBackend> record,
      String awaited) throws InterruptedException {
    URI endpoint =
        URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/v1/metrics");
    OtelMetricsConfig config =
        OtelMetricsConfig.builder()
            .serviceName(service)
            .serviceInstanceId(instance)
            .runtimeMetricsEnabled(false)
            .otlp(new OtelMetricsConfig.Otlp(endpoint, Duration.ofMillis(200),
                Duration.ofSeconds(5)))
            .build();
    try (OtelMetricsBackend backend = new OtelMetricsBackend(config)) {
      record.accept(backend.jobMetrics(Set.of("node.hostname.get")), backend);
      // a push collected while the figures were being recorded holds only some of them: skip
      // what arrived so far and the next one (it may have been collected before this line)
      received.clear();
      boolean skipped = false;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (System.nanoTime() < deadline) {
        Received r = received.poll(500, TimeUnit.MILLISECONDS);
        if (r == null) {
          continue;
        }
        if (!skipped) {
          skipped = true;
          continue;
        }
        Map<String, Metric> byName = new HashMap<>();
        for (ResourceMetrics rm : r.request().getResourceMetricsList()) {
          for (ScopeMetrics sm : rm.getScopeMetricsList()) {
            sm.getMetricsList().forEach(x -> byName.put(x.getName(), x));
          }
        }
        if (!byName.containsKey(awaited)) {
          continue;
        }
        assertThat(r.method()).isEqualTo("POST");
        assertThat(r.path()).isEqualTo("/v1/metrics");
        assertThat(r.contentType()).isEqualTo("application/x-protobuf");
        assertThat(r.request().getResourceMetricsList()).hasSize(1);
        Map<String, String> resource = attributes(
            r.request().getResourceMetrics(0).getResource().getAttributesList());
        assertThat(resource).containsEntry("service.name", service)
            .containsEntry("service.instance.id", instance)
            .containsEntry("telemetry.sdk.language", "java");
        // the Prometheus side works next to the push
        assertThat(backend.scrape(null).bodyText()).contains("osapi_jobs_");
        return byName;
      }
      throw new AssertionError("no OTLP push with " + awaited + " within 15 s");
    }
  }

  private static Map<String, String> attributes(List<KeyValue> kvs) {
    Map<String, String> out = new HashMap<>();
    kvs.forEach(kv -> out.put(kv.getKey(), kv.getValue().getStringValue()));
    return out;
  }
}
