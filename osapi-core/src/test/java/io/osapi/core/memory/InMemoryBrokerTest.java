package io.osapi.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.port.Delivery;
import io.osapi.core.port.JobConsumer;
import io.osapi.core.port.JobQueue;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The embedded broker's queue keeps a notification for every job its store may hold: a backlog
 * larger than the queue's default size, found by scripts/bench-one-box.sh (a store raised to
 * millions of jobs, batches created faster than one worker ran them), used to drop the oldest
 * notifications, and their jobs stayed submitted for good.
 */
class InMemoryBrokerTest {
  private static final int BACKLOG = InMemoryJobQueue.DEFAULT_MAX_MESSAGES + 1;

  @Test
  void aBacklogWithinTheStoresJobLimitLosesNoNotification() throws Exception {
    InMemoryBroker broker = InMemoryBroker.create(Clock.systemUTC(), Duration.ZERO,
        new StoreLimits(BACKLOG + 10, Long.MAX_VALUE));
    JobId first = publishBacklog(broker.queue(), BACKLOG);
    assertThat(firstDelivered(broker.queue())).isEqualTo(first);
  }

  /** The control: a queue of the default size drops the oldest notification of that backlog. */
  @Test
  void aQueueOfTheDefaultSizeDropsTheOldestOfThatBacklog() throws Exception {
    InMemoryJobQueue queue = new InMemoryJobQueue(Clock.systemUTC());
    JobId first = publishBacklog(queue, BACKLOG);
    JobId delivered = firstDelivered(queue);
    assertThat(delivered).isNotNull().isNotEqualTo(first);
  }

  @Test
  void theQueueLimitFollowsTheStoresJobLimit() {
    assertThat(InMemoryBroker.queueLimit(new StoreLimits(10, 1)))
        .isEqualTo(InMemoryJobQueue.DEFAULT_MAX_MESSAGES);
    assertThat(InMemoryBroker.queueLimit(new StoreLimits(2_000_000, 1))).isEqualTo(2_000_000);
    assertThat(InMemoryBroker.queueLimit(StoreLimits.NONE)).isEqualTo(Integer.MAX_VALUE);
  }

  /** Publishes {@code n} notifications of {@code _any} jobs; returns the first job's id. */
  private static JobId publishBacklog(JobQueue queue, int n) {
    JobId first = null;
    for (int i = 0; i < n; i++) {
      Job job = Fixtures.job("_any");
      queue.publish(new JobNotification(job, List.of())).join();
      if (first == null) {
        first = job.id();
      }
    }
    return first;
  }

  /** The job of the first delivery a new worker fetches, or null when none comes. */
  private static JobId firstDelivered(JobQueue queue) throws Exception {
    JobConsumer c = queue.consumer(new ConsumerSpec("w1", Map.of(), Duration.ofSeconds(30), 5));
    try {
      List<Delivery> got = c.fetch(1, Duration.ofSeconds(2));
      return got.isEmpty() ? null : got.get(0).notification().job().id();
    } finally {
      c.close();
    }
  }
}
