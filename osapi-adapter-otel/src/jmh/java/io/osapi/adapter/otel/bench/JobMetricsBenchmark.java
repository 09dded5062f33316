package io.osapi.adapter.otel.bench;

import io.osapi.adapter.otel.OtelMetricsBackend;
import io.osapi.adapter.otel.OtelMetricsConfig;
import io.osapi.core.domain.JobOutcome;
import io.osapi.core.port.JobMetrics;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-job recording cost of {@code OtelJobMetrics} against {@link JobMetrics#noop()}: one job
 * is {@code jobCreated} + {@code jobStarted} (queue wait histogram) + {@code jobFinished}
 * (completion counter, duration histogram, per-worker counter), as the job client and the worker
 * call them. Run with {@code -prof gc} to see the allocation per job ({@code gc.alloc.rate.norm}).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class JobMetricsBenchmark {

  static final String[] OPERATIONS = {
    "node.hostname.get", "node.disk.get", "command.exec", "network.dns.get"
  };
  static final String WORKER = "worker-1";
  static final Duration QUEUE_WAIT = Duration.ofMillis(12);
  static final Duration PROCESSING = Duration.ofMillis(150);

  /** Which implementation: {@code otel} (the SDK behind OtelMetricsBackend) or {@code noop}. */
  @Param({"otel", "noop"})
  public String impl;

  private OtelMetricsBackend backend;
  private JobMetrics metrics;

  /** Each benchmark thread walks the operations on its own. */
  @State(Scope.Thread)
  public static class Cursor {
    int next;

    String operation() {
      int i = next;
      next = (i + 1) & 3;
      return OPERATIONS[i];
    }
  }

  /**
   * A cursor over two operations of its own per thread (threads 0 and 1 share no histogram
   * series), to tell lock contention on the shared series apart from other costs.
   */
  @State(Scope.Thread)
  public static class OwnCursor extends Cursor {
    private static final AtomicInteger THREADS = new AtomicInteger();
    private final int base = (THREADS.getAndIncrement() & 1) * 2;

    @Override
    String operation() {
      int i = next;
      next = i ^ 1;
      return OPERATIONS[base + i];
    }
  }

  @Setup(Level.Trial)
  public void setUp() {
    if (impl.equals("otel")) {
      backend =
          new OtelMetricsBackend(OtelMetricsConfig.builder().runtimeMetricsEnabled(false).build());
      metrics = backend.jobMetrics(Set.of(OPERATIONS));
    } else {
      metrics = JobMetrics.noop();
    }
    metrics.workerConnected(WORKER, 8);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    // no scrape here: JMH's GC profiler counts trial tear-down in the last iteration
    if (backend != null) {
      backend.close();
    }
  }

  private void oneJob(Cursor cursor) {
    String op = cursor.operation();
    metrics.jobCreated(op);
    metrics.jobStarted(op, QUEUE_WAIT);
    metrics.jobFinished(op, WORKER, JobOutcome.COMPLETED, PROCESSING);
  }

  /** One job's recording, one thread. */
  @Benchmark
  @Threads(1)
  public void perJob1Thread(Cursor cursor) {
    oneJob(cursor);
  }

  /** One job's recording, two threads recording at once. */
  @Benchmark
  @Threads(2)
  public void perJob2Threads(Cursor cursor) {
    oneJob(cursor);
  }

  /** Two threads at once, each on operations of its own (no shared histogram series). */
  @Benchmark
  @Threads(2)
  public void perJob2ThreadsOwnOperations(OwnCursor cursor) {
    oneJob(cursor);
  }
}
