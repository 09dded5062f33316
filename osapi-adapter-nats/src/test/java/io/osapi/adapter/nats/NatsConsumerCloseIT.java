package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A worker's consumer keeps pull requests open on the shared durables; once it is closed, the
 * server must not hand a new job to those requests (nobody would run it until the ack wait ran
 * out): the job goes to another worker at once, as a first delivery.
 */
class NatsConsumerCloseIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @Test
  void aJobPublishedAfterAWorkerClosedGoesToAnotherAtOnce() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    NatsBackend client = closer.later(NatsTestSupport.backend(server));
    NatsBackend a = closer.later(NatsTestSupport.backend(server));
    NatsBackend b = closer.later(NatsTestSupport.backend(server));
    Duration ackWait = Duration.ofSeconds(30);
    JobConsumer ca = a.queue().consumer(new ConsumerSpec("close-a", Map.of(), ackWait, 5));
    JobConsumer cb = closer.later(
        b.queue().consumer(new ConsumerSpec("close-b", Map.of(), ackWait, 5)));
    // a asks for 8 jobs and gets none: its pull requests stay open at the server
    assertThat(ca.fetch(8, Duration.ofMillis(300))).isEmpty();
    ca.close();

    JobRecord job = NatsJobStoreV2IT.any();
    client.store().create(job).get();
    client.queue().publish(JobNotification.of(job)).get();
    long t0 = System.nanoTime();
    Delivery d = null;
    while (d == null && System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos()) {
      List<Delivery> got = cb.fetch(1, Duration.ofSeconds(1));
      d = got.isEmpty() ? null : got.get(0);
    }
    assertThat(d).as("delivered to the open worker within 10 s (ack wait is 30 s)").isNotNull();
    assertThat(d.notification()).isEqualTo(JobNotification.of(job));
    assertThat(d.deliveryCount()).as("a first delivery, not one after a lost one").isEqualTo(1);
    d.ack();
  }
}
