package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.DeliveryHandler;
import io.osapi.core.port.JobConsumer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The NATS consumer hands a shared durable's deliveries to the worker as they arrive, on its
 * dispatcher, with no thread of the worker's in a fetch; a delivery that had to wait for a slot
 * goes out on the thread that gives one back. (The port's default, which fetches, hands nothing
 * over between calls: both assertions on the threads fail with it.)
 */
class NatsDeliverIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @Test
  void deliveriesReachTheHandlerBetweenCallsAndOnTheThreadThatFreesASlot() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    NatsBackend client = closer.later(NatsTestSupport.backend(server));
    NatsBackend worker = closer.later(NatsTestSupport.backend(server));
    JobConsumer c = closer.later(worker.queue().consumer(
        new ConsumerSpec("deliver-w", Map.of(), Duration.ofSeconds(30), 5)));
    Semaphore slots = new Semaphore(1);
    List<Delivery> got = new CopyOnWriteArrayList<>();
    List<Thread> on = new CopyOnWriteArrayList<>();
    List<Runnable> dones = new CopyOnWriteArrayList<>();
    DeliveryHandler handler = (d, done) -> {
      got.add(d);
      on.add(Thread.currentThread());
      dones.add(done);
    };
    // one call that waits for nothing: it opens the pull requests and returns
    c.deliver(slots, handler, Duration.ZERO);
    assertThat(got).isEmpty();

    // a query and a modify job: both shared durables were asked for the one free slot, so both
    // arrive, and one of them has to wait for the slot
    Set<JobNotification> sent = new HashSet<>();
    for (OperationKind kind : List.of(OperationKind.QUERY, OperationKind.MODIFY)) {
      JobRecord job = JobRecord.submitted(Fixtures.job("_any", kind), List.of());
      client.store().create(job).get();
      client.queue().publish(JobNotification.of(job)).get();
      sent.add(JobNotification.of(job));
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> got.size() == 1);
    assertThat(on.get(0)).as("handed over on the consumer's thread")
        .isNotSameAs(Thread.currentThread());
    assertThat(slots.availablePermits()).isZero();

    // the other waits for the only slot (against the positive control right after): given back
    // here, it is handed over on this thread
    Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
        .until(() -> got.size() == 1);
    got.get(0).ack();
    dones.get(0).run();
    assertThat(got).hasSize(2);
    assertThat(on.get(1)).isSameAs(Thread.currentThread());
    assertThat(Set.of(got.get(0).notification(), got.get(1).notification())).isEqualTo(sent);
    got.get(1).ack();
    dones.get(1).run();
    assertThat(slots.availablePermits()).isEqualTo(1);
  }
}
