package io.osapi.core.testing;

import io.osapi.core.domain.JobOutcome;
import io.osapi.core.domain.RefusalReason;
import io.osapi.core.domain.SchedulingState;
import io.osapi.core.port.ConnectionMetrics;
import io.osapi.core.port.FleetMetrics;
import io.osapi.core.port.HealthMetrics;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * A recorder of every metrics port ({@link JobMetrics}, {@link FleetMetrics}, {@link
 * ConnectionMetrics}, {@link HealthMetrics}) that remembers every call, for tests to assert on:
 * bind it to all four where the OTel adapter would go. Thread-safe. Label values are kept exactly
 * as passed (null as {@code "null"}); like every metrics port, it never throws.
 */
public final class RecordingJobMetrics
    implements JobMetrics, FleetMetrics, ConnectionMetrics, HealthMetrics {
  private final Map<String, LongAdder> created = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> finished = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> processedByWorker = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> redeliveries = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> deadLettered = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> superseded = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> timedOut = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> cancelled = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rolloutReleased = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> rolloutStopped = new ConcurrentHashMap<>();
  private final List<Duration> durations = new CopyOnWriteArrayList<>();
  private final List<Duration> queueWaits = new CopyOnWriteArrayList<>();
  private final Map<String, List<Duration>> queueWaitsByOperation = new ConcurrentHashMap<>();
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger maxActive = new AtomicInteger();
  private final Map<String, Integer> connectedWorkers = new ConcurrentHashMap<>();
  private final AtomicInteger connected = new AtomicInteger();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong pending = new AtomicLong();
  private volatile Map<String, io.osapi.core.domain.OperationQueue> queues = Map.of();
  private final AtomicLong ackPending = new AtomicLong();
  private volatile Map<String, Duration> heartbeatAges = Map.of();
  private final AtomicLong indexJobs = new AtomicLong(-1);
  private final AtomicLong indexBehind = new AtomicLong(-1);
  private volatile Map<SchedulingState, Long> workersByState;
  private final Map<String, Boolean> subsystems = new ConcurrentHashMap<>();
  private volatile boolean componentUp;

  @Override
  public void jobCreated(String operation) {
    count(created, operation);
  }

  @Override
  public void jobStarted(String operation, Duration queueWait) {
    int now = active.incrementAndGet();
    maxActive.accumulateAndGet(now, Math::max);
    if (queueWait != null) {
      queueWaits.add(queueWait);
      queueWaitsByOperation
          .computeIfAbsent(String.valueOf(operation), k -> new CopyOnWriteArrayList<>())
          .add(queueWait);
    }
  }

  @Override
  public void jobReturned(String operation) {
    active.decrementAndGet();
  }

  @Override
  public void jobFinished(String operation, String workerId, JobOutcome outcome, Duration duration) {
    if (outcome == null || outcome == JobOutcome.RELEASED || outcome == JobOutcome.CANCELLED) {
      return; // not finished by the worker: handed back, or ended by a cancel
    }
    count(finished, outcome.wire() + "|" + operation);
    count(processedByWorker, workerId);
    durations.add(duration == null ? Duration.ZERO : duration);
  }

  @Override
  public void jobRedelivered(String operation) {
    count(redeliveries, operation);
  }

  @Override
  public void jobDeadLettered(String operation) {
    count(deadLettered, operation);
  }

  @Override
  public void jobSuperseded(String operation) {
    count(superseded, operation);
  }

  @Override
  public void jobRefused(String operation, RefusalReason reason) {
    count(refused, operation + "|" + (reason == null ? "null" : reason.wire()));
  }

  /** Jobs refused with {@code reason}, over all operations. */
  public long refused(RefusalReason reason) {
    long n = 0;
    for (Map.Entry<String, LongAdder> e : refused.entrySet()) {
      if (e.getKey().endsWith("|" + reason.wire())) {
        n += e.getValue().sum();
      }
    }
    return n;
  }

  /** Jobs of {@code operation} refused with {@code reason}. */
  public long refused(String operation, RefusalReason reason) {
    return get(refused, operation + "|" + reason.wire());
  }

  @Override
  public void jobRunTimedOut(String operation) {
    count(timedOut, operation);
  }

  @Override
  public void jobCancelled(String operation) {
    count(cancelled, operation);
  }

  /** Jobs of {@code operation} whose cancel this process stored. */
  public long cancelled(String operation) {
    return get(cancelled, operation);
  }

  @Override
  public void rolloutReleased(String operation, int runs) {
    rolloutReleased.computeIfAbsent(operation, k -> new LongAdder()).add(runs);
  }

  /** Runs of rolling broadcasts of {@code operation} this process released. */
  public long rolloutRunsReleased(String operation) {
    return get(rolloutReleased, operation);
  }

  @Override
  public void rolloutStopped(String operation) {
    count(rolloutStopped, operation);
  }

  /** Rolling broadcasts of {@code operation} this process stopped on failures. */
  public long rolloutsStopped(String operation) {
    return get(rolloutStopped, operation);
  }

  @Override
  public void workerConnected(String workerId, int concurrency) {
    connectedWorkers.put(String.valueOf(workerId), concurrency);
  }

  @Override
  public void workerDisconnected(String workerId) {
    connectedWorkers.remove(String.valueOf(workerId));
    processedByWorker.remove(String.valueOf(workerId));
  }

  @Override
  public void connectionUp(boolean up) {
    connected.set(up ? 1 : 0);
  }

  @Override
  public void reconnected() {
    reconnects.incrementAndGet();
  }

  @Override
  public void queueBacklog(long pending, long ackPending) {
    this.pending.set(pending);
    this.ackPending.set(ackPending);
  }

  @Override
  public void jobQueues(Map<String, io.osapi.core.domain.OperationQueue> byOperation) {
    queues = Map.copyOf(byOperation);
  }

  /** The last reported jobs not started, by operation. */
  public Map<String, io.osapi.core.domain.OperationQueue> queues() {
    return queues;
  }

  @Override
  public void workerHeartbeatAges(Map<String, Duration> ages) {
    heartbeatAges = ages == null ? Map.of() : Map.copyOf(ages);
  }

  @Override
  public void jobIndex(long jobs, long behind) {
    indexJobs.set(jobs);
    indexBehind.set(behind);
  }

  @Override
  public void workersByState(Map<SchedulingState, Long> counts) {
    Map<SchedulingState, Long> m = new java.util.EnumMap<>(SchedulingState.class);
    if (counts != null) {
      counts.forEach((k, v) -> {
        if (k != null && v != null) {
          m.put(k, v);
        }
      });
    }
    workersByState = m;
  }

  /** Registered workers in {@code state} at the last refresh, or null before the first. */
  public Long workersInState(SchedulingState state) {
    Map<SchedulingState, Long> m = workersByState;
    return m == null ? null : m.getOrDefault(state, 0L);
  }

  @Override
  public void subsystemUp(String subsystem, boolean up) {
    subsystems.put(String.valueOf(subsystem), up);
  }

  @Override
  public void componentUp(boolean up) {
    componentUp = up;
  }

  /** Jobs created with {@code operation}. */
  public long created(String operation) {
    return get(created, operation);
  }

  /** Jobs created, all operations. */
  public long createdTotal() {
    return sum(created);
  }

  /** Jobs finished with {@code outcome} ({@code completed} or {@code failed}), all operations. */
  public long finished(JobOutcome outcome) {
    String prefix = outcome.wire() + "|";
    return finished.entrySet().stream()
        .filter(e -> e.getKey().startsWith(prefix))
        .mapToLong(e -> e.getValue().sum())
        .sum();
  }

  /** Jobs finished with {@code outcome} and {@code operation}. */
  public long finished(JobOutcome outcome, String operation) {
    return get(finished, outcome.wire() + "|" + operation);
  }

  /** Jobs each connected worker finished, by worker id. */
  public Map<String, Long> processedByWorker() {
    Map<String, Long> m = new TreeMap<>();
    processedByWorker.forEach((k, v) -> m.put(k, v.sum()));
    return m;
  }

  /** Every recorded duration. */
  public List<Duration> durations() {
    return List.copyOf(durations);
  }

  /** Every recorded queue wait. */
  public List<Duration> queueWaits() {
    return List.copyOf(queueWaits);
  }

  /** Jobs being processed right now. */
  public int active() {
    return active.get();
  }

  /** Every recorded queue wait of {@code operation}. */
  public List<Duration> queueWaits(String operation) {
    return List.copyOf(queueWaitsByOperation.getOrDefault(operation, List.of()));
  }

  /** The highest {@link #active()} seen. */
  public int maxActive() {
    return maxActive.get();
  }

  /** Redeliveries, all operations. */
  public long redeliveries() {
    return sum(redeliveries);
  }

  /** Redeliveries of {@code operation}. */
  public long redeliveries(String operation) {
    return get(redeliveries, operation);
  }

  /** Dead-lettered jobs, all operations. */
  public long deadLettered() {
    return sum(deadLettered);
  }

  /** Dead-lettered jobs of {@code operation} ({@code other} for poison). */
  public long deadLettered(String operation) {
    return get(deadLettered, operation);
  }

  /** Runs failed at their job's deadline, all operations. */
  public long timedOut() {
    return sum(timedOut);
  }

  /** Runs of {@code operation} failed at their job's deadline. */
  public long timedOut(String operation) {
    return get(timedOut, operation);
  }

  /** Runs whose outcome was dropped because another delivery took the job over, all operations. */
  public long superseded() {
    return sum(superseded);
  }

  /** Runs of {@code operation} whose outcome was dropped because another delivery took over. */
  public long superseded(String operation) {
    return get(superseded, operation);
  }

  /** Connected workers with their concurrency. */
  public Map<String, Integer> connectedWorkers() {
    return Map.copyOf(connectedWorkers);
  }

  /** 1 while the backend connection is up, else 0 (as last reported). */
  public int connected() {
    return connected.get();
  }

  /** Reconnects of the backend connection. */
  public long reconnects() {
    return reconnects.get();
  }

  /** The last reported pending backlog. */
  public long pending() {
    return pending.get();
  }

  /** The last reported ack-pending backlog. */
  public long ackPending() {
    return ackPending.get();
  }

  /** The last reported heartbeat ages. */
  public Map<String, Duration> heartbeatAges() {
    return heartbeatAges;
  }

  /** The last reported size of the job index, -1 before the first report. */
  public long indexJobs() {
    return indexJobs.get();
  }

  /** The last reported lag of the job index (writes not applied), -1 before the first report. */
  public long indexBehind() {
    return indexBehind.get();
  }

  /** The last reported state of each subsystem. */
  public Map<String, Boolean> subsystems() {
    return Map.copyOf(subsystems);
  }

  /** The last reported readiness of the process. */
  public boolean componentUp() {
    return componentUp;
  }

  private static void count(Map<String, LongAdder> m, String key) {
    m.computeIfAbsent(String.valueOf(key), k -> new LongAdder()).increment();
  }

  private static long get(Map<String, LongAdder> m, String key) {
    LongAdder a = m.get(key);
    return a == null ? 0 : a.sum();
  }

  private static long sum(Map<String, LongAdder> m) {
    return m.values().stream().mapToLong(LongAdder::sum).sum();
  }
}
