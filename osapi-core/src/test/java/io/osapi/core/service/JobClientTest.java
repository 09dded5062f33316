package io.osapi.core.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.osapi.core.domain.EventType;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobPage;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.UnknownOperationException;
import io.osapi.core.operations.BuiltinOperations;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobClientTest {
  private final Harness h = new Harness(BuiltinOperations.registry());

  private void assertNothingStored() {
    assertThat(h.client.stats().total()).isZero();
    assertThat(h.metrics.createdTotal()).isZero();
    assertThat(h.broker.queue().backlog().pending()).isZero();
  }

  @Test
  void createStoresPublishesAndCounts() {
    JobView v = h.client.create(new CreateJobRequest("diag.echo", "{\"a\":1}", null));
    assertThat(v.status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(v.job().target().text()).isEqualTo("_any");
    assertThat(h.client.get(v.job().id())).isPresent();
    assertThat(h.metrics.created("diag.echo")).isEqualTo(1);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(1);
  }

  @Test
  void aJobPublishedWhoseSubmittedEventFailedOnceIsCreatedNotRemoved() {
    java.util.concurrent.atomic.AtomicInteger eventWrites =
        new java.util.concurrent.atomic.AtomicInteger();
    io.osapi.core.port.JobStore failingOnce =
        FailingOnceJobStore.wrapping(h.broker.store(), "appendEvent", eventWrites);
    JobClient client = new JobClient(failingOnce, h.broker.queue(), h.broker.registry(),
        h.operations, h.metrics, java.time.Clock.systemUTC(), true);
    JobView v = client.create(new CreateJobRequest("diag.echo", "{}", null));
    // the notification is out, so the job exists: kept, counted, its event written on a retry
    assertThat(eventWrites).hasValue(2);
    assertThat(h.client.get(v.job().id())).isPresent();
    assertThat(h.client.get(v.job().id()).orElseThrow().status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(h.broker.store().events(v.job().id())).hasSize(1);
    assertThat(h.broker.queue().backlog().pending()).isEqualTo(1);
    assertThat(h.metrics.created("diag.echo")).isEqualTo(1);
  }

  @Test
  void unknownOperationIsRefusedBeforeAnythingIsStored() {
    assertThatThrownBy(() -> h.client.create(CreateJobRequest.of("system.hostname.update")))
        .isInstanceOf(UnknownOperationException.class)
        .hasMessageContaining("unknown operation type 'system.hostname.update'");
    assertThatThrownBy(() -> h.client.create(CreateJobRequest.of("system")))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("not valid");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest(null, null, null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("operation.type is required");
    assertNothingStored();
  }

  @Test
  void badDataAndTargetsAreRefused() {
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", "{nope", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("invalid JSON");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo",
        "\"" + "x".repeat(70_000) + "\"", null)))
        .isInstanceOf(InvalidInputException.class).hasMessageContaining("larger than");
    for (String bad : List.of("a b", "*", ">", "group:", ":x")) {
      assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, bad)))
          .isInstanceOf(InvalidInputException.class);
    }
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "web99")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no registered worker has id 'web99'");
    assertThatThrownBy(() -> h.client.create(new CreateJobRequest("diag.echo", null, "group:web")))
        .isInstanceOf(InvalidInputException.class)
        .hasMessageContaining("no registered worker has a label matching 'group:web'");
    assertNothingStored();
  }

  @Test
  void knownHostAndLabelTargetsAreAccepted() {
    h.worker(Harness.config("web01", 1).withLabels(Map.of("group", "web.dev")));
    Harness.awaitTrue(Duration.ofSeconds(5), () -> !h.client.workers().isEmpty());
    assertThat(h.client.create(new CreateJobRequest("diag.echo", null, "web01")).job().subject())
        .isEqualTo("jobs.query.host.web01");
    JobView v = h.client.create(new CreateJobRequest("diag.echo", null, "group:web"));
    assertThat(h.awaitEnd(v.job().id(), Duration.ofSeconds(10)).status())
        .isEqualTo(JobStatus.COMPLETED);
    h.close();
  }

  @Test
  void listsNewestFirstWithFilterAndPaging() {
    List<JobId> ids = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ids.add(h.client.create(CreateJobRequest.of("diag.echo")).job().id());
    }
    List<JobId> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);
    JobPage first = h.client.list(null, 10, 0);
    assertThat(first.total()).isEqualTo(25);
    assertThat(first.items()).extracting(v -> v.job().id())
        .containsExactlyElementsOf(newestFirst.subList(0, 10));
    assertThat(h.client.list(null, 10, 20).items()).hasSize(5);
    assertThat(h.client.list(JobStatus.COMPLETED, 10, 0).total()).isZero();
    assertThat(h.client.list(JobStatus.SUBMITTED, 100, 0).total()).isEqualTo(25);
    assertThatThrownBy(() -> h.client.list(null, 0, 0)).hasMessageContaining("limit");
    assertThatThrownBy(() -> h.client.list(null, 101, 0)).hasMessageContaining("limit");
    assertThatThrownBy(() -> h.client.list(null, 10, -1)).hasMessageContaining("offset");
  }

  @Test
  void retryMakesANewJobAndMarksTheOld() {
    JobId old = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    JobView retried = h.client.retry(old, null).orElseThrow();
    assertThat(retried.job().id()).isNotEqualTo(old);
    assertThat(h.client.get(old).orElseThrow().timeline())
        .anySatisfy(t -> assertThat(t.message()).isEqualTo("retried as " + retried.job().id()));
    assertThat(h.client.retry(JobId.generate(Clock.systemUTC()), null)).isEmpty();
    assertThat(h.metrics.createdTotal()).isEqualTo(2);
  }

  @Test
  void deleteRemovesEverything() {
    JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    assertThat(h.client.delete(id)).isTrue();
    assertThat(h.client.get(id)).isEmpty();
    assertThat(h.client.delete(id)).isFalse();
    assertThat(h.broker.store().events(id)).isEmpty();
  }

  @Test
  void retriedEventDoesNotChangeTheOriginalsStatus() {
    JobId id = h.client.create(CreateJobRequest.of("diag.echo")).job().id();
    h.client.retry(id, null);
    assertThat(h.client.get(id).orElseThrow().status()).isEqualTo(JobStatus.SUBMITTED);
    assertThat(h.client.get(id).orElseThrow().timeline()).extracting(t -> t.event())
        .contains(EventType.RETRIED.wire());
  }
}
