package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobFilter;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.port.JobWatch;
import io.osapi.core.testing.ManualClock;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** The index's blocks against a plain sorted map, with many blocks, splits and removals. */
class JobIndexTest {
  private static final RunState[] STATES = RunState.values();

  static JobWatch.RecordFacts facts(int expected) {
    return new JobWatch.RecordFacts(expected, "diag.echo", expected == 0 ? "_any" : "_all", 1, 1);
  }

  static JobId idAt(long millis, Random rnd) {
    long hi = (millis << 16) | 0x7000L | rnd.nextInt(0x1000);
    long lo = (rnd.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return IndexBlock.id(hi, lo);
  }

  @Test
  void idsRoundTripThroughTwoLongsInStringOrder() {
    Random rnd = new Random(1);
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      JobId id = i % 2 == 0 ? JobId.generate(Clock.systemUTC()) : idAt(rnd.nextLong() >>> 17, rnd);
      assertThat(IndexBlock.id(IndexBlock.hi(id), IndexBlock.lo(id))).isEqualTo(id);
      ids.add(id);
    }
    for (int i = 1; i < ids.size(); i++) {
      JobId a = ids.get(i - 1);
      JobId b = ids.get(i);
      assertThat(Integer.signum(IndexBlock.compare(IndexBlock.hi(a), IndexBlock.lo(a), IndexBlock.hi(b),
          IndexBlock.lo(b)))).isEqualTo(Integer.signum(a.compareTo(b)));
    }
  }

  @Test
  void pagesCountsAndStatusesMatchASortedMapThroughRandomWrites() {
    Random rnd = new Random(42);
    long t0 = 1_780_000_000_000L;
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    TreeMap<JobId, JobStatus> model = new TreeMap<>(Comparator.reverseOrder());
    List<JobId> known = new ArrayList<>();
    for (int step = 0; step < 30_000; step++) {
      int op = rnd.nextInt(10);
      if (op < 5 || known.isEmpty()) {
        // mostly appends, some out of order (other controllers' ids, replays)
        long at = rnd.nextInt(10) < 8 ? t0 + step : t0 + rnd.nextInt(step + 1);
        JobId id = idAt(at, rnd);
        index.recordWritten(id, facts(0), at);
        model.put(id, JobStatus.SUBMITTED);
        known.add(id);
      } else if (op < 9) {
        JobId id = known.get(rnd.nextInt(known.size()));
        RunState s = STATES[rnd.nextInt(STATES.length)];
        index.runWritten(new RunKey(id, RunKey.ANY), s, null, 0);
        if (model.containsKey(id)) {
          model.put(id, JobStatus.of(s));
        }
      } else {
        JobId id = known.remove(rnd.nextInt(known.size()));
        index.recordDeleted(id);
        model.remove(id);
      }
    }
    index.caughtUp();
    Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
    model.values().forEach(s -> counts.merge(s, 1L, Long::sum));
    assertThat(index.stats().total()).isEqualTo(model.size());
    assertThat(index.stats().byStatus()).containsAllEntriesOf(counts);
    List<JobId> all = new ArrayList<>(model.keySet());
    for (int offset : new int[] {0, 1, 1023, 1024, 5000, model.size() - 3, model.size() + 5}) {
      List<JobId> want = all.subList(Math.min(offset, all.size()),
          Math.min(offset + 50, all.size()));
      assertThat(index.page(null, 50, offset, null).ids()).as("offset %d", offset)
          .isEqualTo(want);
    }
    for (JobStatus s : JobStatus.values()) {
      List<JobId> of = model.entrySet().stream().filter(e -> e.getValue() == s)
          .map(Map.Entry::getKey).toList();
      for (int offset : new int[] {0, 7, 1500, of.size() - 1}) {
        if (offset < 0) {
          continue;
        }
        assertThat(index.page(s, 20, offset, null).ids()).as("%s offset %d", s, offset)
            .isEqualTo(of.subList(Math.min(offset, of.size()), Math.min(offset + 20, of.size())));
      }
      if (of.size() > 40) {
        JobId cursor = of.get(17);
        assertThat(index.page(s, 20, 0, cursor).ids()).isEqualTo(of.subList(18, 38));
      }
    }
    // a cursor that was deleted still pages on from its place
    JobId gone = all.get(100);
    index.recordDeleted(gone);
    assertThat(index.page(null, 5, 0, gone).ids()).isEqualTo(all.subList(101, 106));
    for (JobId id : all.subList(0, 200)) {
      assertThat(index.status(id)).isEqualTo(id.equals(gone) ? null : model.get(id));
    }
  }

  @Test
  void runsBeforeTheirRecordCountDuringTheReplayOnly() {
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    Random rnd = new Random(3);
    JobId a = idAt(System.currentTimeMillis(), rnd);
    JobId b = idAt(System.currentTimeMillis(), rnd);
    JobId c = idAt(System.currentTimeMillis(), rnd);
    index.runWritten(new RunKey(a, RunKey.ANY), RunState.COMPLETED, null, 0);
    index.runWritten(new RunKey(b, "w1"), RunState.FAILED, null, 0);
    index.runWritten(new RunKey(c, RunKey.ANY), RunState.RUNNING, null, 0);
    index.recordWritten(a, facts(0), System.currentTimeMillis());
    index.recordWritten(b, facts(2), System.currentTimeMillis());
    index.caughtUp();
    assertThat(index.status(a)).isEqualTo(JobStatus.COMPLETED);
    assertThat(index.status(b)).isEqualTo(JobStatus.PROCESSING);
    assertThat(index.status(c)).isNull();
    index.runWritten(new RunKey(b, "w2"), RunState.COMPLETED, null, 0);
    assertThat(index.status(b)).isEqualTo(JobStatus.PARTIAL_FAILURE);
    index.recordWritten(c, facts(0), System.currentTimeMillis());
    assertThat(index.status(c)).as("the early run was dropped when the replay ended")
        .isEqualTo(JobStatus.SUBMITTED);
  }

  @Test
  void aJobListsByTheWorkerOfItsRunsThroughTheReplayTakeOversAndDeletes() {
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    Random rnd = new Random(4);
    JobId any = idAt(System.currentTimeMillis(), rnd);
    JobId bc = idAt(System.currentTimeMillis() + 1, rnd);
    JobId none = idAt(System.currentTimeMillis() + 2, rnd);
    index.runWritten(RunKey.any(any), RunState.RUNNING, "w1", 0); // before its record
    index.runWritten(RunKey.of(bc, "w2"), RunState.COMPLETED, "w2", 0);
    index.runWritten(RunKey.of(bc, "w3"), RunState.CANCELLED, null, 0); // never claimed
    index.recordWritten(any, facts(0), System.currentTimeMillis());
    index.recordWritten(bc, facts(3), System.currentTimeMillis());
    index.recordWritten(none, facts(0), System.currentTimeMillis());
    index.caughtUp();
    assertThat(ranOn(index, "w1")).containsExactly(any);
    assertThat(ranOn(index, "w2")).containsExactly(bc);
    assertThat(ranOn(index, "w3")).as("a run cancelled before a claim ran on nobody").isEmpty();
    assertThat(ranOn(index, "w9")).isEmpty();
    index.runWritten(RunKey.of(bc, "w3"), RunState.RUNNING, "w3", 0);
    index.runWritten(RunKey.any(any), RunState.RUNNING, "w3", 0); // a take-over
    index.runWritten(RunKey.any(none), RunState.RUNNING, "w1", 0);
    assertThat(ranOn(index, "w3")).containsExactly(bc, any);
    assertThat(ranOn(index, "w1")).as("the run names its last holder").containsExactly(none);
    index.runDeleted(RunKey.of(bc, "w3"));
    index.runDeleted(RunKey.any(none));
    assertThat(ranOn(index, "w3")).containsExactly(any);
    assertThat(ranOn(index, "w1")).isEmpty();
    index.recordDeleted(any);
    assertThat(ranOn(index, "w3")).isEmpty();
    assertThat(ranOn(index, "w2")).containsExactly(bc);
  }

  private static List<JobId> ranOn(JobIndex index, String worker) {
    return index.search(new JobFilter(null, null, null, worker, null, null), 10, 0, null).ids();
  }

  @Test
  void jobsLeaveByTheirRecordsLastWriteAcrossBlocks() {
    ManualClock clock = new ManualClock(1_780_000_000_000L);
    JobIndex index = new JobIndex(clock, Duration.ofHours(1));
    Random rnd = new Random(5);
    List<JobId> ids = new ArrayList<>();
    long start = clock.millis();
    for (int i = 0; i < 5000; i++) {
      long at = start + i * 100L; // 500 s of jobs
      JobId id = idAt(at, rnd);
      ids.add(id);
      index.recordWritten(id, facts(0), at);
    }
    index.caughtUp();
    JobId retried = ids.get(10);
    index.recordWritten(retried, facts(0), start + 400_000); // noted again 400 s later
    clock.setMillis(start + 3_600_000 + 250_000); // the first 250 s are due
    assertThat(index.size()).isEqualTo(5000 - 2501 + 1);
    assertThat(index.status(retried)).isEqualTo(JobStatus.SUBMITTED);
    assertThat(index.status(ids.get(11))).isNull();
    assertThat(index.status(ids.get(2600))).isEqualTo(JobStatus.SUBMITTED);
    clock.setMillis(start + 3_600_000 + 401_000);
    assertThat(index.size()).isEqualTo(5000 - 4011);
    assertThat(index.status(retried)).isNull();
    assertThat(index.page(null, 1, 0, null).ids()).containsExactly(ids.get(4999));
    clock.setMillis(start + 3_600_000 + 600_000);
    assertThat(index.stats().total()).isZero();
    assertThat(index.blockBytes()).isZero();
  }

  @Test
  void theRetentionFollowsTheStoresWhenItChanges() {
    ManualClock clock = new ManualClock(1_780_000_000_000L);
    JobIndex index = new JobIndex(clock, Duration.ofHours(24)); // this process's --job-ttl
    Random rnd = new Random(6);
    long start = clock.millis();
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      JobId id = idAt(start + i * 1000L, rnd); // 100 s of jobs
      ids.add(id);
      index.recordWritten(id, facts(0), start + i * 1000L);
    }
    index.caughtUp();
    clock.setMillis(start + 3_600_000 + 50_500); // an hour and 50 s later
    index.expire();
    assertThat(index.size()).as("kept for 24 h").isEqualTo(100);
    index.retention(Duration.ofHours(1)); // the bucket's real max age, set by its owner
    index.expire();
    assertThat(index.size()).as("the first 51 s are past an hour").isEqualTo(49);
    assertThat(index.status(ids.get(50))).isNull();
    assertThat(index.status(ids.get(51))).isEqualTo(JobStatus.SUBMITTED);
    index.retention(Duration.ZERO); // for ever
    clock.setMillis(start + 10 * 3_600_000);
    index.expire();
    assertThat(index.size()).isEqualTo(49);
  }

  @Test
  void appendsFillBlocks() {
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    Random rnd = new Random(9);
    long t = System.currentTimeMillis();
    int n = IndexBlock.CAPACITY * 20;
    for (int i = 0; i < n; i++) {
      index.recordWritten(idAt(t + i, rnd), facts(0), t + i);
    }
    assertThat(index.blockBytes() / n).as("bytes per job").isLessThanOrEqualTo(50);
  }

  @Test
  void summariesCarryTheRecordsFactsAndTheNewestTimelineTime() {
    JobIndex index = new JobIndex(Clock.systemUTC(), Duration.ZERO);
    Random rnd = new Random(11);
    long now = System.currentTimeMillis();
    JobId a = idAt(now, rnd);
    JobId b = idAt(now + 1, rnd);
    long created = JobWatch.nanos(Instant.ofEpochMilli(now).plusNanos(123_456));
    index.recordWritten(a, new JobWatch.RecordFacts(0, "node.hostname.get", "host:web-1",
        created, created), now);
    index.recordWritten(b, new JobWatch.RecordFacts(2, "diag.echo", "_all", created, created),
        now);
    index.caughtUp();
    index.runWritten(new RunKey(a, RunKey.ANY), RunState.COMPLETED, null, created + 5_000_000);
    index.runWritten(new RunKey(a, RunKey.ANY), RunState.COMPLETED, null, created + 1_000_000); // older: kept newest
    index.runWritten(new RunKey(b, "w1"), RunState.COMPLETED, null, created + 2_000_000);
    index.recordWritten(b, new JobWatch.RecordFacts(2, "diag.echo", "_all", created,
        created + 9_000_000), now + 10); // a retry note
    JobSummary sa = index.summary(a);
    assertThat(sa).isEqualTo(new JobSummary(a, JobStatus.COMPLETED, "node.hostname.get",
        "host:web-1", JobWatch.instant(created), JobWatch.instant(created + 5_000_000)));
    assertThat(sa.created().getNano() % 1_000_000).isEqualTo(123_456);
    assertThat(index.page(null, 10, 0, null).items()).containsExactly(
        new JobSummary(b, JobStatus.PROCESSING, "diag.echo", "_all", JobWatch.instant(created),
            JobWatch.instant(created + 9_000_000)), sa);
  }
}
