package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.BackendUnavailableException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobRecord;
import io.osapi.core.port.JobStore;
import io.osapi.core.service.JobIndex;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A controller's job index through a nats-server kill -9 and restart (file storage): the watch's
 * ordered consumer lives in the server's memory, so the restart loses it; the index must follow
 * the writes made after the restart within seconds (not once jnats' heartbeat alarm notices, 15 to
 * 30 s later), without a replay of the bucket and without losing a write for good.
 */
class NatsJobIndexRestartIT {
  private static final int JOBS = 1_000;
  /** From the last create acknowledged to the index holding it: seconds, not the alarm's 15-30. */
  private static final Duration FOLLOW = Duration.ofSeconds(5);

  @RegisterExtension final CloseAfterEach closer = new CloseAfterEach();

  @Test
  void theIndexFollowsTheWritesMadeAfterARestartWithoutAReplay() throws Exception {
    NatsServerProcess server = closer.later(NatsServerProcess.start());
    NatsBackend backend = closer.later(NatsTestSupport.backend(server));
    JobStore store = backend.store();
    JobIndex index = closer.later(JobIndex.of(store, Clock.systemUTC()));
    assertThat(index.awaitCaughtUp(Duration.ofSeconds(10))).isTrue();

    List<JobId> ids = new ArrayList<>(create(store, JOBS));
    Awaitility.await("the index holds the first " + JOBS).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20)).until(() -> index.size() == JOBS);
    assertThat(index.applied()).isEqualTo(JOBS);

    server.kill9();
    Awaitility.await("disconnected").atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20)).until(() -> !backend.isConnected());
    long killed = System.nanoTime();
    server.restart();
    Awaitility.await("ready again").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(20)).until(backend::isReady);
    long ready = System.nanoTime();
    ids.addAll(create(store, JOBS));
    long created = System.nanoTime();

    // sample what a reader sees until the index holds every job
    long staleWithLagZero = 0;
    long maxLag = 0;
    long firstNew = -1;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    long all = -1;
    while (System.nanoTime() < end) {
      long size = index.size();
      long lag = index.behind();
      maxLag = Math.max(maxLag, lag);
      if (size > JOBS && firstNew < 0) {
        firstNew = System.nanoTime();
      }
      if (size == 2L * JOBS) {
        all = System.nanoTime();
        break;
      }
      if (lag == 0) {
        staleWithLagZero++;
      }
      Thread.sleep(20);
    }
    long applied = index.applied();
    long missing = ids.stream().filter(id -> index.summary(id) == null).count();

    // positive control: a new index replays the bucket and finds every job there
    long replayStart = System.nanoTime();
    long replayed;
    try (JobIndex fresh = JobIndex.of(store, Clock.systemUTC())) {
      assertThat(fresh.awaitCaughtUp(Duration.ofSeconds(60))).isTrue();
      replayed = fresh.size();
    }
    long replayMs = ms(System.nanoTime() - replayStart);

    System.out.printf("job index through a nats-server restart: restart to ready %d ms; %d creates"
        + " after it took %d ms; first new job in the index %s ms after ready; all %d jobs %s ms"
        + " after the last create was acknowledged; writes applied %d (%d written); %d samples"
        + " (20 ms apart) of a stale index with osapi_job_index_lag 0, lag at most %d; still"
        + " missing %d; a new index replayed %d jobs in %d ms (%.0f ms per 1,000)%n",
        ms(ready - killed), JOBS, ms(created - ready),
        firstNew < 0 ? "never" : Long.toString(ms(firstNew - ready)), 2 * JOBS,
        all < 0 ? "never" : Long.toString(ms(all - created)), applied, 2 * JOBS,
        staleWithLagZero, maxLag, missing, replayed, replayMs, replayMs * 1000.0 / replayed);

    assertThat(replayed).as("the store holds every job created").isEqualTo(2L * JOBS);
    assertThat(all).as("the index came to hold every job within 90 s").isPositive();
    assertThat(missing).as("jobs missing from the index").isZero();
    assertThat(Duration.ofNanos(all - created)).as("from the last create to the index holding it")
        .isLessThan(FOLLOW);
    assertThat(applied).as("each write applied once: no replay after the restart")
        .isEqualTo(2L * JOBS);
  }

  /** Creates {@code n} {@code _any} jobs, 64 in flight, each tried again while NATS is not back. */
  private static List<JobId> create(JobStore store, int n) throws Exception {
    List<JobId> out = new ArrayList<>(n);
    List<CompletableFuture<Long>> window = new ArrayList<>();
    List<JobRecord> records = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      JobRecord r = Fixtures.anyRecord();
      records.add(r);
      window.add(store.create(r));
      if (window.size() == 64 || i == n - 1) {
        for (int k = 0; k < window.size(); k++) {
          settle(store, records.get(k), window.get(k));
          out.add(records.get(k).job().id());
        }
        window.clear();
        records.clear();
      }
    }
    return out;
  }

  private static void settle(JobStore store, JobRecord r, CompletableFuture<Long> f)
      throws Exception {
    for (int attempt = 0; ; attempt++) {
      try {
        f.get(30, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException e) {
        if (store.find(r.job().id()).isPresent()) {
          return; // stored, its answer lost
        }
        if (!(e.getCause() instanceof BackendUnavailableException) || attempt >= 20) {
          throw e;
        }
        Thread.sleep(250);
        f = store.create(r);
      }
    }
  }

  private static long ms(long nanos) {
    return TimeUnit.NANOSECONDS.toMillis(nanos);
  }
}
