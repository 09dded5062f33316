package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobSummary;
import io.osapi.core.domain.JobView;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.JobClient;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two controllers on one nats-server, each with its own connection and its own job index (as two
 * controller processes behind a load balancer): a write through either, or by a worker, shows in
 * both listings within a second, as the detail says.
 */
class NatsTwoControllersIT {
  private static final Duration SECOND = Duration.ofSeconds(1);

  private NatsServerProcess server;
  private Fleet fleet;
  private NatsBackend other;

  @AfterEach
  void stop() {
    if (other != null) {
      other.close();
    }
    if (fleet != null) {
      fleet.close();
    }
    if (server != null) {
      server.close();
    }
  }

  /**
   * A job stored whose notification never went out (its controller died between the two), and a
   * job notified as usual: both controllers' reconcilers look at both at once, and the stream holds
   * one notification per job (de-duplicated by job id); each job then runs exactly once.
   */
  @Test
  void twoControllersSendAMissingNotificationOnceBetweenThem() throws Exception {
    server = NatsServerProcess.start();
    NatsSettings settings = NatsTestSupport.settings(server).build();
    fleet = new Fleet(settings);
    other = NatsTestSupport.backend(settings.toBuilder().connectionName("controller-b").build());
    JobId published = fleet.create("diag.echo", "{\"n\":1}", "_any");
    io.osapi.core.domain.Job job = new io.osapi.core.domain.Job(
        JobId.generate(Clock.systemUTC()), new io.osapi.core.domain.Operation("diag.echo", "{}"),
        io.osapi.core.domain.OperationKind.QUERY, io.osapi.core.domain.Target.parse("_any"),
        java.time.Instant.now());
    fleet.client.store().create(
        io.osapi.core.domain.JobRecord.submitted(job, java.util.List.of())).get();
    JobId orphan = job.id();
    assertThat(NatsTestSupport.streamMessages(fleet.client)).isEqualTo(1);

    // both controllers, 31 s later (past the grace)
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofSeconds(31));
    java.util.List<io.osapi.core.service.SubmitReconciler> reconcilers = new java.util.ArrayList<>();
    for (NatsBackend b : java.util.List.of(fleet.client, other)) {
      io.osapi.core.service.JobIndex index =
          io.osapi.core.service.JobIndex.of(b.store(), Clock.systemUTC());
      assertThat(NatsTestSupport.eventually(Duration.ofSeconds(5),
          () -> index.status(orphan) != null && index.status(published) != null)).isTrue();
      reconcilers.add(new io.osapi.core.service.SubmitReconciler(b.store(), b.queue(),
          index, later, Duration.ofSeconds(30), Duration.ofSeconds(20)));
    }
    java.util.List<java.util.concurrent.CompletableFuture<Integer>> rounds =
        reconcilers.stream().map(r -> java.util.concurrent.CompletableFuture.supplyAsync(r::round))
            .toList();
    for (var f : rounds) {
      assertThat(f.get()).as("both jobs looked at (neither has a run)").isEqualTo(2);
    }
    assertThat(NatsTestSupport.streamMessages(fleet.client))
        .as("one notification per job in the stream").isEqualTo(2);
    fleet.start("w1");
    assertThat(fleet.awaitCompletedSomewhere(java.util.List.of(published, orphan),
        Duration.ofSeconds(10))).isTrue();
    fleet.assertCompletedExactlyOnce(java.util.List.of(published, orphan));
  }

  @Test
  void twoControllersAgreeWithinASecondOfEachWrite() {
    server = NatsServerProcess.start();
    NatsSettings settings = NatsTestSupport.settings(server).build();
    fleet = new Fleet(settings); // controller A (its job client) and, below, a worker
    other = NatsTestSupport.backend(settings.toBuilder().connectionName("controller-b").build());
    JobClient a = fleet.jobs;
    JobClient b = JobClient.builder(other, BuiltinOperations.registry()).build();
    fleet.start("w1");
    assertThat(a.stats().total()).isZero(); // both indexes made and caught up
    assertThat(b.stats().total()).isZero();

    // create (through A), then a worker's finish
    JobId ok = fleet.create("diag.echo", "{\"n\":1}", "_any");
    agreeWithin(SECOND, "the create", a, b, ok, s -> true);
    awaitDetail(a, ok, JobStatus.COMPLETED);
    agreeWithin(SECOND, "the finish", a, b, ok, s -> s.status() == JobStatus.COMPLETED);
    JobId bad = b.create(new io.osapi.core.service.CreateJobRequest("diag.fail", "{}", "_any"))
        .job().id(); // through B
    awaitDetail(b, bad, JobStatus.FAILED);
    agreeWithin(SECOND, "a failure", a, b, bad, s -> s.status() == JobStatus.FAILED);

    // retry (through A): the new job and the note on the original
    JobId again = a.retry(bad, null).orElseThrow().job().id();
    agreeWithin(SECOND, "the retry", a, b, again, s -> true);
    agreeWithin(SECOND, "the retry note", a, b, bad,
        s -> s.updated().equals(a.get(bad).orElseThrow().updated()));

    // delete (through B)
    assertThat(b.delete(ok)).isTrue();
    assertThat(NatsTestSupport.eventually(SECOND, () -> listed(a, ok).isEmpty()
        && listed(b, ok).isEmpty())).as("the delete in both listings within 1 s").isTrue();

    awaitDetail(a, again, JobStatus.FAILED);
    assertThat(NatsTestSupport.eventually(SECOND, () -> a.stats().equals(b.stats())
        && a.list(null, 100, 0).equals(b.list(null, 100, 0))))
        .as("both views equal").isTrue();
    JobPage page = a.list(null, 100, 0);
    assertThat(page.total()).isEqualTo(2);
    for (JobSummary item : page.items()) {
      assertThat(item).isEqualTo(JobSummary.of(a.get(item.id()).orElseThrow()));
    }
    assertThat(a.stats().byStatus()).containsAllEntriesOf(Map.of(JobStatus.FAILED, 2L));
  }

  /** Waits (up to 30 s) until the detail of {@code id} shows {@code status}. */
  private static void awaitDetail(JobClient c, JobId id, JobStatus status) {
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(30),
        () -> c.get(id).map(JobView::status).orElse(null) == status))
        .as("%s %s", id, status).isTrue();
  }

  /**
   * Asserts that within {@code d} both controllers list {@code id} as its detail says and as
   * {@code also} wants.
   */
  private static void agreeWithin(Duration d, String what, JobClient a, JobClient b, JobId id,
      Predicate<JobSummary> also) {
    boolean agreed = NatsTestSupport.eventually(d, () -> {
      Optional<JobSummary> sa = listed(a, id);
      Optional<JobSummary> sb = listed(b, id);
      Optional<JobView> detail = a.get(id);
      return sa.isPresent() && sa.equals(sb) && detail.isPresent()
          && sa.get().equals(JobSummary.of(detail.get())) && also.test(sa.get());
    });
    assertThat(agreed).as("both controllers list %s as its detail within %s: A %s, B %s",
        what, d, listed(a, id), listed(b, id)).isTrue();
  }

  private static Optional<JobSummary> listed(JobClient c, JobId id) {
    return c.list(null, 100, 0).items().stream().filter(i -> i.id().equals(id)).findFirst();
  }
}
