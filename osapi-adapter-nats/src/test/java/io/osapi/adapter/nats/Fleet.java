package io.osapi.adapter.nats;

import static org.assertj.core.api.Assertions.assertThat;

import io.osapi.core.domain.EventType;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.JobStatus;
import io.osapi.core.domain.JobView;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.service.CreateJobRequest;
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
 * A job client and workers, each on its own NATS connection (as separate processes would be),
 * with their own metrics.
 */
final class Fleet implements AutoCloseable {
  final NatsSettings settings;
  final MetricsTap clientMetrics = new MetricsTap();
  final NatsBackend client;
  final JobClient jobs;
  private final Map<String, Worker> workers = new LinkedHashMap<>();

  /** One worker with its own connection. */
  record Worker(String id, NatsBackend backend, WorkerService service, MetricsTap metrics) {}

  Fleet(NatsSettings settings) {
    this.settings = settings;
    this.client =
        NatsTestSupport.backend(settings.toBuilder().connectionName("client").build(), clientMetrics);
    this.jobs =
        new JobClient(
            client.jobStore(),
            client.jobQueue(),
            client.workerRegistry(),
            BuiltinOperations.registry(),
            clientMetrics,
            Clock.systemUTC(),
            false);
  }

  Worker start(String id, Map<String, String> labels, Duration ackWait, int concurrency) {
    MetricsTap m = new MetricsTap();
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
        new WorkerService(
            cfg,
            b.jobStore(),
            b.jobQueue(),
            b.workerRegistry(),
            BuiltinOperations.registry(),
            m,
            Clock.systemUTC());
    s.start();
    Worker w = new Worker(id, b, s, m);
    workers.put(id, w);
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

  /** Waits until every job in {@code ids} has {@code status} (from the index, key names only). */
  boolean await(Collection<JobId> ids, JobStatus status, Duration timeout) {
    return NatsTestSupport.eventually(
        timeout,
        () -> {
          Map<JobId, List<io.osapi.core.domain.EventKey>> index = client.jobStore().index();
          for (JobId id : ids) {
            List<io.osapi.core.domain.EventKey> keys = index.get(id);
            if (keys == null || JobView.statusOf(keys) != status) {
              return false;
            }
          }
          return true;
        });
  }

  /**
   * Waits until every job in {@code ids} has a completed event from some worker (from the index).
   * Unlike the computed status this also holds for a job that one worker abandoned after it had
   * started it and another completed: the core counts the abandoning worker as still processing.
   */
  boolean awaitCompletedSomewhere(Collection<JobId> ids, Duration timeout) {
    return NatsTestSupport.eventually(
        timeout,
        () -> {
          Map<JobId, List<io.osapi.core.domain.EventKey>> index = client.jobStore().index();
          for (JobId id : ids) {
            List<io.osapi.core.domain.EventKey> keys = index.get(id);
            if (keys == null || keys.stream().noneMatch(k -> k.type() == EventType.COMPLETED)) {
              return false;
            }
          }
          return true;
        });
  }

  /** Waits until job {@code id} has a terminal event from each of {@code workerIds}. */
  boolean awaitFinishedBy(JobId id, Collection<String> workerIds, Duration timeout) {
    return NatsTestSupport.eventually(
        timeout, () -> terminalBy(id).keySet().containsAll(workerIds));
  }

  /** Terminal events of a job, counted by worker. */
  Map<String, Integer> terminalBy(JobId id) {
    Map<String, Integer> out = new TreeMap<>();
    for (StatusEvent e : client.jobStore().events(id)) {
      if (e.type().terminal()) {
        out.merge(e.worker(), 1, Integer::sum);
      }
    }
    return out;
  }

  /** Completed events of a job, counted by worker. */
  Map<String, Integer> completedBy(JobId id) {
    Map<String, Integer> out = new TreeMap<>();
    for (StatusEvent e : client.jobStore().events(id)) {
      if (e.type() == EventType.COMPLETED) {
        out.merge(e.worker(), 1, Integer::sum);
      }
    }
    return out;
  }

  /**
   * Checks that each job ran to completion exactly once: one completed event, one result (status
   * completed, from the same worker). Returns how many jobs each worker completed.
   */
  Map<String, Integer> assertCompletedExactlyOnce(Collection<JobId> ids) {
    Map<String, Integer> perWorker = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (JobId id : ids) {
      Map<String, Integer> done = completedBy(id);
      List<JobResult> results = client.jobStore().results(id);
      long completedResults = results.stream().filter(r -> r.status() == EventType.COMPLETED).count();
      if (done.size() != 1 || done.values().iterator().next() != 1 || completedResults != 1) {
        problems.add(id + ": completed events " + done + ", results " + results);
        continue;
      }
      String w = done.keySet().iterator().next();
      assertThat(results.stream().filter(r -> r.status() == EventType.COMPLETED))
          .extracting(JobResult::worker)
          .containsExactly(w);
      perWorker.merge(w, 1, Integer::sum);
    }
    assertThat(problems).as("jobs not completed exactly once").isEmpty();
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
    client.close();
  }
}
