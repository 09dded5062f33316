package io.osapi.core.memory;

import io.osapi.core.domain.EventKey;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobResult;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.StatusEvent;
import io.osapi.core.port.JobStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A {@link JobStore} in memory: for embedding, development and tests. Thread-safe. */
public final class InMemoryJobStore implements JobStore {
  private final ConcurrentSkipListMap<JobId, Job> jobs =
      new ConcurrentSkipListMap<>(Comparator.reverseOrder());
  private final Map<JobId, List<StatusEvent>> events = new ConcurrentHashMap<>();
  private final Map<JobId, List<JobResult>> results = new ConcurrentHashMap<>();

  @Override
  public void create(Job job) {
    if (jobs.putIfAbsent(job.id(), job) != null) {
      throw new IllegalStateException("job " + job.id() + " exists already");
    }
  }

  @Override
  public Optional<Job> find(JobId id) {
    return Optional.ofNullable(jobs.get(id));
  }

  @Override
  public CompletableFuture<Void> appendEvent(StatusEvent event) {
    List<StatusEvent> list = events.computeIfAbsent(event.jobId(), k -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      // the same event again (a retried write): stored once, as its key says
      if (list.stream().noneMatch(e -> e.type() == event.type()
          && e.worker().equals(event.worker()) && e.time().equals(event.time()))) {
        list.add(event);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Void> putResult(JobResult result) {
    List<JobResult> list = results.computeIfAbsent(result.jobId(), k -> new CopyOnWriteArrayList<>());
    synchronized (list) {
      if (list.stream().noneMatch(r -> r.worker().equals(result.worker())
          && r.time().equals(result.time()))) {
        list.add(result);
      }
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public List<StatusEvent> events(JobId id) {
    return List.copyOf(events.getOrDefault(id, List.of()));
  }

  @Override
  public List<JobResult> results(JobId id) {
    return List.copyOf(results.getOrDefault(id, List.of()));
  }

  @Override
  public Map<JobId, List<EventKey>> index() {
    Map<JobId, List<EventKey>> out = new LinkedHashMap<>();
    for (JobId id : jobs.keySet()) {
      List<EventKey> keys = new ArrayList<>();
      for (StatusEvent e : events.getOrDefault(id, List.of())) {
        keys.add(new EventKey(e.type(), e.fromApi() ? e.worker() : Names.sanitise(e.worker()),
            EventKey.nanos(e.time())));
      }
      out.put(id, keys);
    }
    return out;
  }

  @Override
  public boolean delete(JobId id) {
    events.remove(id);
    results.remove(id);
    return jobs.remove(id) != null;
  }
}
