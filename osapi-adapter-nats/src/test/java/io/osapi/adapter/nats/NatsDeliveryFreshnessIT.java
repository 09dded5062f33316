package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link Delivery#fresh()} on NATS: true only for a first delivery of a notification published
 * after the worker's connection came up (so a restarted server cannot have handed it out before);
 * workers skip their look-up for an earlier run only then.
 */
class NatsDeliveryFreshnessIT {

  @Test
  void onlyFirstDeliveriesPublishedSinceTheConnectionCameUpAreFresh() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start()) {
      NatsBackend client = NatsTestSupport.backend(server, JobMetrics.noop());
      NatsBackend worker = null;
      try {
        Job before = Fixtures.job("_any");
        client.jobStore().create(before);
        client.jobQueue().publish(before);

        worker = NatsTestSupport.backend(server, JobMetrics.noop());
        try (JobConsumer c =
            worker.jobQueue().consumer(
                new ConsumerSpec("fresh-w", Map.of(), Duration.ofSeconds(30), 5))) {
          Delivery old = fetchOne(c);
          assertThat(old.jobId()).isEqualTo(before.id());
          assertThat(old.deliveryCount()).isEqualTo(1);
          assertThat(old.fresh()).as("published before the worker connected").isFalse();
          old.ack();

          Job after = Fixtures.job("_any");
          client.jobStore().create(after);
          client.jobQueue().publish(after);
          Delivery first = fetchOne(c);
          assertThat(first.jobId()).isEqualTo(after.id());
          assertThat(first.fresh()).as("published while the worker was connected").isTrue();
          first.nak(Duration.ZERO);

          Delivery again = fetchOne(c);
          assertThat(again.jobId()).isEqualTo(after.id());
          assertThat(again.deliveryCount()).isEqualTo(2);
          assertThat(again.fresh()).as("a redelivery").isFalse();
          again.ack();
        }
      } finally {
        if (worker != null) {
          worker.close();
        }
        client.close();
      }
    }
  }

  private static Delivery fetchOne(JobConsumer c) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      List<Delivery> got = c.fetch(1, Duration.ofSeconds(2));
      if (!got.isEmpty()) {
        assertThat(got).hasSize(1);
        return got.get(0);
      }
    }
    throw new AssertionError("no delivery within 20 s");
  }
}
