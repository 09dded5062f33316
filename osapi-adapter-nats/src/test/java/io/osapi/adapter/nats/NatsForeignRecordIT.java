package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.nats.client.Connection;
import io.nats.client.Nats;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.OperationQueue;
import io.osapi.core.service.JobIndex;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A value another writer put in bucket {@code osapi-jobs} (no osapi headers, an id that is no
 * version 7 UUID) is no job: the index does not list it, so it is not "submitted" for ever and the
 * queue's oldest age is not read from its random bits. The positive control: a record without
 * headers under a version 7 id (as written before the headers existed) is listed.
 */
class NatsForeignRecordIT {
  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @Test
  void aForeignValueIsNotListedWhileAHeaderlessJobIdIs() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    NatsBackend backend = closer.later(NatsTestSupport.backend(server));
    JobIndex index = closer.later(JobIndex.of(backend.store(), Clock.systemUTC()));
    assertThat(index.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

    String foreign = UUID.randomUUID().toString(); // version 4
    JobId old = JobId.generate(Clock.systemUTC()); // version 7
    try (Connection c = closer.later(Nats.connect(server.url()))) {
      c.keyValue(NatsLayout.JOBS_BUCKET).put("jobs." + foreign,
          "{this is not JSON".getBytes(StandardCharsets.UTF_8));
      c.keyValue(NatsLayout.JOBS_BUCKET).put("jobs." + old.value(),
          "{this is not JSON either".getBytes(StandardCharsets.UTF_8));
    }
    Awaitility.await("the headerless version 7 record listed").atMost(Duration.ofSeconds(10))
        .until(() -> index.summary(old) != null);
    assertThat(index.size()).isEqualTo(1);
    assertThat(index.summary(JobId.parse(foreign))).isNull();
    Map<String, OperationQueue> queues = index.queues(Set.of());
    long pending = queues.values().stream().mapToLong(OperationQueue::pending).sum();
    assertThat(pending).as("only the version 7 record waits").isEqualTo(1);
    Duration oldest = queues.values().stream().map(OperationQueue::oldestAge)
        .max(Duration::compareTo).orElseThrow();
    assertThat(oldest).as("an age from the id's time, not from random bits")
        .isLessThan(Duration.ofMinutes(1));
  }
}
