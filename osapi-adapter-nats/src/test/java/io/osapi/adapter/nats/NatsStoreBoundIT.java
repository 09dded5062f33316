package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.domain.StoreFullException;
import io.osapi.core.domain.StoreUsage;
import io.osapi.core.port.JobStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job bucket's bound on a real server ({@code jobsMaxBytes} 256 KiB): creates are refused at
 * once with {@link StoreFullException} (limit {@code BUCKET}) at 90 % of it, while runs of the jobs
 * held still go in; runs written past the bound itself are refused by the server ({@code maximum
 * bytes exceeded}), also as {@link StoreFullException}, never as an outage; {@link
 * JobStore#usage()} says full; deletes free room and creates are taken again.
 */
class NatsStoreBoundIT {
  private static final String DATA = "{\"x\":\"" + "a".repeat(10_000) + "\"}";

  @Test
  void theBucketsBoundRefusesCreatesFirstThenWritesAndFreesOnDelete() throws Exception {
    try (NatsServerProcess server = NatsServerProcess.start();
        NatsBackend b = NatsTestSupport.backend(NatsTestSupport.settings(server)
            .maxBytes(16L << 20).jobsMaxBytes(256 * 1024).build())) {
      JobStore store = b.store();
      List<JobRecord> held = new ArrayList<>();
      StoreFullException refused = null;
      long refusedNanos = 0;
      for (int i = 0; i < 100 && refused == null; i++) {
        JobRecord r = JobRecord.submitted(Fixtures.job("_any", OperationKind.QUERY, DATA),
            List.of());
        long t0 = System.nanoTime();
        Throwable t = failure(store, r);
        if (t == null) {
          held.add(r);
        } else {
          refusedNanos = System.nanoTime() - t0;
          assertThat(t).isInstanceOf(StoreFullException.class);
          refused = (StoreFullException) t;
          assertThat(store.find(r.job().id())).isEmpty();
        }
      }
      assertThat(refused).as("refused before 100 jobs of 10 KB").isNotNull();
      assertThat(refused.limit()).isEqualTo(StoreFullException.Limit.BUCKET);
      assertThat(refused.max()).isEqualTo(256 * 1024);
      assertThat(refused.getMessage()).contains("the job store is full");
      assertThat(Duration.ofNanos(refusedNanos)).isLessThan(Duration.ofMillis(100));
      // the refusal counts this process's writes by estimate (a little over what the server
      // stores); usage measures the server, so a create refused within that margin of the bound
      // goes in once measured: go on until a refusal stands against the measured bytes
      StoreUsage full = store.usage();
      for (int i = 0; i < 10 && !full.full(); i++) {
        JobRecord r = JobRecord.submitted(Fixtures.job("_any", OperationKind.QUERY, DATA),
            List.of());
        if (failure(store, r) == null) {
          held.add(r);
        }
        full = store.usage();
      }
      assertThat(full.full()).isTrue();
      assertThat(full.ratio()).isGreaterThan(0.85);

      // the room kept: the claim of a held job still fits
      RunKey first = RunKey.any(held.get(0).job().id());
      Run claim = Run.claim(null, "w1", 1, Instant.now());
      long rev = Fixtures.await(store.putRun(first, claim, 0));
      assertThat(rev).isPositive();

      // results past the bound itself: refused by the server, as a full store, not an outage
      StoreFullException hard = null;
      for (int i = 1; i < held.size() && hard == null; i++) {
        RunKey k = RunKey.any(held.get(i).job().id());
        Run done = Run.claim(null, "w1", 1, Instant.now())
            .finish(RunState.COMPLETED, DATA, null, false, Instant.now());
        Throwable t = Fixtures.failure(() -> store.putRun(k, done, 0));
        if (t != null) {
          assertThat(t).isInstanceOf(StoreFullException.class);
          hard = (StoreFullException) t;
        }
      }
      assertThat(hard).as("a result past the bucket's bound is refused").isNotNull();
      assertThat(hard.limit()).isEqualTo(StoreFullException.Limit.BUCKET);
      assertThat(hard.getMessage()).contains("maximum bytes exceeded");

      // deletes free room: usage says so and creates are taken again
      for (JobRecord r : held) {
        store.delete(r.job().id());
      }
      assertThat(store.usage().full()).isFalse();
      JobRecord again = JobRecord.submitted(Fixtures.job("_any", OperationKind.QUERY, DATA),
          List.of());
      assertThat(failure(store, again)).isNull();
    }
  }

  private static Throwable failure(JobStore store, JobRecord r) {
    return Fixtures.failure(() -> store.create(r));
  }
}
