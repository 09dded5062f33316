package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.port.Broker;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobQueue;
import io.osapi.core.port.JobStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A claim that fails because the store cannot be reached hands the job back for longer with each
 * delivery it spends (the retry delay, four times longer each time, at most an ack wait), so a
 * job's deliveries outlast a store outage: in a frozen-node run of NatsClusterIT, claims handed
 * back after the 200 ms retry delay spent a job's five deliveries within a 17 s outage, and the
 * job was failed without having run. Any other failure of the claim keeps the retry delay.
 */
class ClaimWhileStoreUnreachableTest {
  private static final Duration RETRY = Duration.ofMillis(20);
  private static final Duration ACK_WAIT = Duration.ofSeconds(1);
  /**
   * A first delivery writes its claim, and when that fails claims again by reading and writing
   * the run; each later delivery writes once: three deliveries, four claim writes.
   */
  private static final int CLAIM_WRITES_OF_THREE_DELIVERIES = 4;

  @Test
  void aClaimThatFindsTheStoreUnreachableWaitsLongerWithEachDelivery() {
    List<Duration> naks = naksWhileClaimsFail(CLAIM_WRITES_OF_THREE_DELIVERIES,
        () -> new BackendUnavailableException("the store is unreachable", null));
    assertThat(naks).containsExactly(Duration.ofMillis(20), Duration.ofMillis(80),
        Duration.ofMillis(320));
  }

  /** The control: a claim that fails otherwise is handed back after the retry delay each time. */
  @Test
  void aClaimThatFailsOtherwiseKeepsTheRetryDelay() {
    List<Duration> naks = naksWhileClaimsFail(CLAIM_WRITES_OF_THREE_DELIVERIES,
        () -> new IllegalStateException("a bug"));
    assertThat(naks).containsExactly(RETRY, RETRY, RETRY);
  }

  @Test
  void theWaitIsAtMostAnAckWait() {
    assertThat(DeliveryProcessor.unreachableWait(config(), 4)).isEqualTo(ACK_WAIT); // 20 * 64
    assertThat(DeliveryProcessor.unreachableWait(config(), 9)).isEqualTo(ACK_WAIT);
    assertThat(DeliveryProcessor.unreachableWait(WorkerConfig.defaults("w"), 4))
        .isEqualTo(Duration.ofSeconds(30)); // 1 s, 4 s, 16 s, then the ack wait
  }

  /**
   * Runs one {@code diag.echo} job on a worker whose first {@code failures} run writes throw what
   * {@code failure} makes; returns the waits the job's deliveries were handed back for.
   */
  private static List<Duration> naksWhileClaimsFail(int failures,
      Supplier<RuntimeException> failure) {
    List<Duration> naks = new CopyOnWriteArrayList<>();
    try (Harness h = new Harness(BuiltinOperations.registry())) {
      AtomicInteger claims = new AtomicInteger();
      JobStore real = h.broker.store();
      JobStore failing = (JobStore) Proxy.newProxyInstance(JobStore.class.getClassLoader(),
          new Class<?>[] {JobStore.class}, (p, m, args) -> {
            if (m.getName().equals("putRun") && claims.incrementAndGet() <= failures) {
              throw failure.get();
            }
            try {
              return m.invoke(real, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          });
      JobQueue queue = PoisonDeliveries.eachDelivery(h.broker.queue(),
          d -> PoisonDeliveries.proxy(Delivery.class, d, (m, args, result) -> {
            if (m.getName().equals("nak")) {
              naks.add((Duration) args[0]);
            }
            return result;
          }));
      WorkerService w = WorkerService.builder(config(),
          Broker.of(failing, queue, h.broker.registry(), h.broker.audit()),
          BuiltinOperations.registry()).build();
      w.start();
      try {
        JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
        assertThat(h.awaitEnd(id, Duration.ofSeconds(20)).status())
            .isEqualTo(JobStatus.COMPLETED);
      } finally {
        w.stop(Duration.ofSeconds(5));
      }
    }
    return naks;
  }

  private static WorkerConfig config() {
    return new WorkerConfig("w1", Map.of(), 1, ACK_WAIT, 5, RETRY, Duration.ofMillis(200),
        Duration.ofMillis(100));
  }
}
