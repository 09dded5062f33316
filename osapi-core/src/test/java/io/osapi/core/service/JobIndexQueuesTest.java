package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.OperationQueue;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobWatch;
import io.osapi.core.testing.ManualClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link JobIndex#queues}: the jobs not started by operation, against a brute-force count. */
class JobIndexQueuesTest {
  private static final List<String> OPS = List.of("diag.echo", "diag.sleep", "x.unknown", "y.gone");
  private static final Set<String> LABELLED = Set.of("diag.echo", "diag.sleep", "diag.fail");

  @Test
  void pendingAndOldestAgeByOperationEqualABruteForceCount() {
    long now = 1_800_000_000_000L;
    ManualClock clock = new ManualClock(now);
    JobIndex index = new JobIndex(clock, Duration.ZERO);
    Random rnd = new Random(7);
    Map<String, long[]> expected = new HashMap<>(); // label -> {pending, oldest created millis}
    for (int i = 0; i < 5000; i++) {
      long created = now - 1 - rnd.nextInt(3_600_000);
      JobId id = JobIndexTest.idAt(created, rnd);
      String op = OPS.get(rnd.nextInt(OPS.size()));
      index.recordWritten(id, new JobWatch.RecordFacts(0, op, "_any", created * 1_000_000L,
          created * 1_000_000L), created);
      int s = rnd.nextInt(4); // none, released (waiting again), running, completed
      if (s == 1) {
        index.runWritten(RunKey.any(id), RunState.RELEASED, null, 0);
      } else if (s == 2) {
        index.runWritten(RunKey.any(id), RunState.RUNNING, null, 0);
      } else if (s == 3) {
        index.runWritten(RunKey.any(id), RunState.COMPLETED, null, 0);
      }
      if (s <= 1) {
        String label = LABELLED.contains(op) ? op : OperationQueue.OTHER;
        long[] e = expected.computeIfAbsent(label, k -> new long[] {0, Long.MAX_VALUE});
        e[0]++;
        e[1] = Math.min(e[1], created);
      }
    }
    index.caughtUp();
    Map<String, OperationQueue> q = index.queues(LABELLED);
    assertThat(q.keySet()).as("the labelled operations and other, nothing else")
        .containsExactlyInAnyOrder("diag.echo", "diag.sleep", "diag.fail", "other");
    assertThat(q.get("diag.fail")).isEqualTo(OperationQueue.EMPTY);
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      assertThat(q.get(e.getKey()).pending()).as(e.getKey()).isEqualTo(e.getValue()[0]);
      assertThat(q.get(e.getKey()).oldestAge()).as(e.getKey())
          .isEqualTo(Duration.ofMillis(now - e.getValue()[1]));
    }
    assertThat(expected.get("other")[0]).as("jobs of operations not labelled exist").isPositive();

    clock.advance(java.time.Duration.ofMillis(5_000));
    assertThat(index.queues(LABELLED).get("diag.echo").oldestAge())
        .isEqualTo(Duration.ofMillis(now + 5_000 - expected.get("diag.echo")[1]));
  }
}
