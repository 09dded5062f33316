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
}
