package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.contract.Fixtures;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.Run;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.RunState;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
import io.osapi.core.service.DeadLetterService;
import io.osapi.core.service.JobClient;
import io.osapi.core.service.WorkerConfig;
import io.osapi.core.service.WorkerService;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A job client (with the dead-letter handler a controller runs) and workers, each on its own NATS
 * connection (as separate processes would be), with their own metrics.
 */
final class Fleet implements AutoCloseable {
  final NatsSettings settings;
  final MetricsTap clientMetrics = new MetricsTap();
  final NatsBackend client;
  final JobClient jobs;
  /** The controller's handler of deliveries that ran out. */
  final DeadLetterService deadLetters;
  private final Map<String, Worker> workers = new LinkedHashMap<>();
  /** Metrics of every worker started, stopped ones too. */
  private final List<MetricsTap> everyWorkersMetrics = new ArrayList<>();

  /** One worker with its own connection. */
  record Worker(String id, NatsBackend backend, WorkerService service, MetricsTap metrics) {}

  Fleet(NatsSettings settings) {
    this.settings = settings;
    this.client =
        NatsTestSupport.backend(settings.toBuilder().connectionName("client").build(), clientMetrics);
    this.jobs =
        JobClient.builder(client, BuiltinOperations.registry()).metrics(clientMetrics).build();
    this.deadLetters =
        new DeadLetterService(client.store(), client.queue(), client.registry(), clientMetrics,
            Clock.systemUTC(), DeadLetterService.RECHECK);
    deadLetters.start();
  }

  Worker start(String id, Map<String, String> labels, Duration ackWait, int concurrency) {
    MetricsTap m = new MetricsTap();
    everyWorkersMetrics.add(m);
    NatsBackend b =
        NatsTestSupport.backend(settings.toBuilder().connectionName("worker-" + id).build(), m);
    WorkerConfig cfg =
        new WorkerConfig(
            id,
            labels,
            concurrency,
            ackWait,
            5,
            Duration.ofMillis(200),
            Duration.ofSeconds(2),
            Duration.ofMillis(500));
    WorkerService s =
        WorkerService.builder(cfg, b, BuiltinOperations.registry()).metrics(m).build();
    s.start();
    Worker w = new Worker(id, b, s, m);
    workers.put(id, w);
    // broadcast jobs expect the workers registered at submit: wait until this one is
    assertThat(NatsTestSupport.eventually(Duration.ofSeconds(10),
        () -> client.registry().workers().stream().anyMatch(i -> i.id().equals(id))))
        .as("worker %s registered", id).isTrue();
    return w;
  }

  Worker start(String id) {
    return start(id, Map.of(), Duration.ofSeconds(5), 4);
  }

  Worker worker(String id) {
    return workers.get(id);
  }

  JobId create(String type, String data, String target) {
    JobView v = jobs.create(new CreateJobRequest(type, data, target));
    return v.job().id();
  }

  /** Waits until every job in {@code ids} has {@code status} (from the headers-only listing). */
  boolean await(Collection<JobId> ids, JobStatus status, Duration timeout) {
    return NatsTestSupport.eventually(
        timeout,
        () -> {
          Map<JobId, JobStatus> statuses = Fixtures.statuses(client.store());
          for (JobId id : ids) {
            if (statuses.get(id) != status) {
              return false;
            }
          }
          return true;
        });
  }

  /**
   * Waits until every job in {@code ids} is completed. (With one run per {@code _any} job, a job
   * one worker abandoned and another completed is simply completed.)
   */
  boolean awaitCompletedSomewhere(Collection<JobId> ids, Duration timeout) {
    return await(ids, JobStatus.COMPLETED, timeout);
  }

  /** Waits until job {@code id} has a terminal run by each of {@code workerIds}. */
  boolean awaitFinishedBy(JobId id, Collection<String> workerIds, Duration timeout) {
    return NatsTestSupport.eventually(
        timeout, () -> terminalBy(id).keySet().containsAll(workerIds));
  }

  /** The runs of a job that exist, by key (read from the record's known run keys). */
  Map<RunKey, Run> runs(JobId id) {
    return client.store().find(id)
        .map(r -> client.store().runs(r.value()))
        .orElse(Map.of());
  }

  /** The runs of a job by the worker that holds or held them. */
  Map<String, Run> runsByWorker(JobId id) {
    Map<String, Run> out = new TreeMap<>();
    runs(id).forEach((k, r) -> {
      String w = k.shared() ? r.worker() : k.slot();
      if (w != null) {
        out.put(w, r);
      }
    });
    return out;
  }

  /** Terminal runs of a job, counted by worker (one run per key: at most 1 each). */
  Map<String, Integer> terminalBy(JobId id) {
    Map<String, Integer> out = new TreeMap<>();
    runsByWorker(id).forEach((w, r) -> {
      if (r.state().terminal()) {
        out.merge(w, 1, Integer::sum);
      }
    });
    return out;
  }

  /** Completed runs of a job, counted by worker. */
  Map<String, Integer> completedBy(JobId id) {
    Map<String, Integer> out = new TreeMap<>();
    runsByWorker(id).forEach((w, r) -> {
      if (r.state() == RunState.COMPLETED) {
        out.merge(w, 1, Integer::sum);
      }
    });
    return out;
  }

  /**
   * Checks that each job ran to completion exactly once: its run is completed, and the workers
   * counted as many completed runs as there are jobs (a job run to completion twice would count
   * twice). Returns how many jobs each worker completed.
   */
  Map<String, Integer> assertCompletedExactlyOnce(Collection<JobId> ids) {
    Map<String, Integer> perWorker = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (JobId id : ids) {
      Map<String, Integer> done = completedBy(id);
      if (done.size() != 1) {
        problems.add(id + ": runs " + runs(id));
        continue;
      }
      perWorker.merge(done.keySet().iterator().next(), 1, Integer::sum);
    }
    assertThat(problems).as("jobs not completed exactly once").isEmpty();
    long counted = 0;
    for (MetricsTap m : everyWorkersMetrics) {
      counted += m.recorded.finished(JobOutcome.COMPLETED);
    }
    assertThat(counted).as("completed runs counted by the workers").isEqualTo(ids.size());
    return perWorker;
  }

  /** Stops a worker's service and closes its connection. */
  void stop(String id) {
    Worker w = workers.remove(id);
    if (w != null) {
      w.service().stop(Duration.ofSeconds(5));
      w.backend().close();
    }
  }

  @Override
  public void close() {
    for (String id : List.copyOf(workers.keySet())) {
      try {
        stop(id);
      } catch (RuntimeException e) {
        // keep closing the rest
      }
    }
    deadLetters.close();
    client.close();
  }
}
