package io.osapi.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.contract.JobStoreContract;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.port.JobStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class InMemoryJobStoreTest extends JobStoreContract {
  @Override
  protected JobStore newStore() {
    return new InMemoryJobStore();
  }

  @Override
  protected JobStore newStoreWithRetention(Duration retention) {
    return new InMemoryJobStore(Clock.systemUTC(), retention);
  }

  @Test
  void revisionsComeFromOneSequenceAcrossKeysLikeAStream() {
    InMemoryJobStore s = new InMemoryJobStore();
    JobRecord a = Fixtures.anyRecord();
    JobRecord b = Fixtures.anyRecord();
    long r1 = s.create(a).join();
    long r2 = s.create(b).join();
    long r3 = s.putRun(RunKey.any(a.job().id()), Run.claim(null, "w1", 1, Instant.now()), 0).join();
    assertThat(r1).isEqualTo(1);
    assertThat(r2).isEqualTo(2);
    assertThat(r3).isEqualTo(3);
  }

  @Test
  void everyFutureIsCompleteWhenReturned() {
    InMemoryJobStore s = new InMemoryJobStore();
    JobRecord a = Fixtures.anyRecord();
    assertThat(s.create(a)).isDone();
    assertThat(s.create(a)).isCompletedExceptionally();
    assertThat(s.putRun(RunKey.any(a.job().id()), Run.claim(null, "w1", 1, Instant.now()), 0))
        .isDone();
  }

  private static JobRecord recordWithData(int chars) {
    return JobRecord.submitted(Fixtures.job("_any", io.osapi.core.domain.OperationKind.QUERY,
        "{\"x\":\"" + "a".repeat(chars) + "\"}"), java.util.List.of());
  }

  private static io.osapi.core.domain.StoreFullException refusal(InMemoryJobStore s, JobRecord r) {
    Throwable t = Fixtures.failure(() -> s.create(r));
    assertThat(t).isInstanceOf(io.osapi.core.domain.StoreFullException.class);
    assertThat(s.find(r.job().id())).isEmpty();
    return (io.osapi.core.domain.StoreFullException) t;
  }

  @Test
  void pastItsJobLimitANewJobIsRefusedUntilOneIsDeleted() {
    InMemoryJobStore s = new InMemoryJobStore(Clock.systemUTC(), Duration.ZERO,
        new StoreLimits(3, Long.MAX_VALUE));
    JobRecord first = Fixtures.anyRecord();
    s.create(first).join();
    s.create(Fixtures.anyRecord()).join();
    s.create(Fixtures.anyRecord()).join();
    io.osapi.core.domain.StoreFullException e = refusal(s, Fixtures.anyRecord());
    assertThat(e.limit()).isEqualTo(io.osapi.core.domain.StoreFullException.Limit.JOBS);
    assertThat(e.max()).isEqualTo(3);
    assertThat(e.getMessage()).contains("3 jobs");
    // runs of the jobs held are still written
    s.putRun(RunKey.any(first.job().id()), Run.claim(null, "w1", 1, Instant.now()), 0).join();
    assertThat(s.delete(first.job().id())).isTrue();
    assertThat(s.jobCount()).isEqualTo(2);
    s.create(Fixtures.anyRecord()).join();
  }

  @Test
  void pastItsByteLimitANewJobIsRefusedAndDeletesFreeTheirShare() {
    InMemoryJobStore s = new InMemoryJobStore(Clock.systemUTC(), Duration.ZERO,
        new StoreLimits(1000, 50_000));
    JobRecord a = recordWithData(10_000); // about 20 KB each
    JobRecord b = recordWithData(10_000);
    s.create(a).join();
    s.create(b).join();
    long twoJobs = s.byteCount();
    assertThat(twoJobs).isBetween(40_000L, 50_000L);
    io.osapi.core.domain.StoreFullException e = refusal(s, recordWithData(10_000));
    assertThat(e.limit()).isEqualTo(io.osapi.core.domain.StoreFullException.Limit.BYTES);
    assertThat(e.max()).isEqualTo(50_000);
    // a small job still fits; a run's result is written past the bound (accepted jobs finish)
    s.create(recordWithData(10)).join();
    Run running = Run.claim(null, "w1", 1, Instant.now());
    long rev = s.putRun(RunKey.any(a.job().id()), running, 0).join();
    s.putRun(RunKey.any(a.job().id()),
        running.finish(io.osapi.core.domain.RunState.COMPLETED, "\"" + "r".repeat(20_000) + "\"",
            null, false, Instant.now()), rev).join();
    assertThat(s.byteCount()).isGreaterThan(50_000);
    // deleting the job frees its record and its run
    s.delete(a.job().id());
    assertThat(s.byteCount()).isLessThan(twoJobs);
    s.create(recordWithData(10_000)).join();
  }

  @Test
  void expiredJobsFreeTheirShareBeforeANewJobIsRefused() {
    java.util.concurrent.atomic.AtomicReference<Instant> now =
        new java.util.concurrent.atomic.AtomicReference<>(Instant.now());
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now.get();
      }
    };
    InMemoryJobStore s = new InMemoryJobStore(clock, Duration.ofMinutes(1),
        new StoreLimits(2, Long.MAX_VALUE));
    s.create(Fixtures.anyRecord()).join();
    s.create(Fixtures.anyRecord()).join();
    refusal(s, Fixtures.anyRecord());
    now.set(now.get().plus(Duration.ofMinutes(2)));
    s.create(Fixtures.anyRecord()).join();
    assertThat(s.jobCount()).isEqualTo(1);
    assertThat(s.byteCount()).isLessThan(2 * 1024);
  }
}
