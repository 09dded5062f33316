package io.osapi.core.testing;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobSpan;
import io.osapi.core.port.JobTracing;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A {@link JobTracing} that remembers every span it started, for tests to assert on: each span
 * gets ids of its own and continues its parent's trace (a new trace without one), like a tracer
 * sampling everything. Thread-safe; never throws.
 */
public final class RecordingJobTracing implements JobTracing {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final List<Span> spans = new CopyOnWriteArrayList<>();

  @Override
  public JobSpan jobCreate(Job job, TraceContext parent) {
    return start("job.create", job, parent, null);
  }

  @Override
  public JobSpan jobProcess(Job job, TraceContext parent, ProcessRun run) {
    return start("job.process", job, parent, run);
  }

  private Span start(String name, Job job, TraceContext parent, ProcessRun run) {
    String trace = parent == null ? hex(16) : parent.traceId();
    Span s = new Span(name, job.id().value(), parent,
        TraceContext.of(trace, hex(8), true, parent == null ? null : parent.tracestate()), run);
    spans.add(s);
    return s;
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    b[0] |= 1; // never all zeros
    return HexFormat.of().formatHex(b);
  }

  /** Every span started, oldest first. */
  public List<Span> spans() {
    return List.copyOf(spans);
  }

  /** The spans named {@code name}, oldest first. */
  public List<Span> spans(String name) {
    return spans.stream().filter(s -> s.name().equals(name)).toList();
  }

  /** One recorded span. */
  public static final class Span implements JobSpan {
    private final String name;
    private final String jobId;
    private final TraceContext parent;
    private final TraceContext context;
    private final ProcessRun run;
    private final List<String> events = new CopyOnWriteArrayList<>();
    private volatile String failure;
    private volatile int ends;

    Span(String name, String jobId, TraceContext parent, TraceContext context, ProcessRun run) {
      this.name = name;
      this.jobId = jobId;
      this.parent = parent;
      this.context = context;
      this.run = run;
    }

    /** {@code job.create} or {@code job.process}. */
    public String name() {
      return name;
    }

    /** The job's id. */
    public String jobId() {
      return jobId;
    }

    /** The context it was started under, or null for a new trace. */
    public TraceContext parent() {
      return parent;
    }

    /** The run of a {@code job.process} span; null for a create. */
    public ProcessRun run() {
      return run;
    }

    /** The events, in order. */
    public List<String> events() {
      return List.copyOf(events);
    }

    /** The failure message, or null. */
    public String failure() {
      return failure;
    }

    /** How many times {@link #end()} was called (1 for a span ended properly). */
    public int ends() {
      return ends;
    }

    @Override
    public TraceContext context() {
      return context;
    }

    @Override
    public void event(String name) {
      events.add(name);
    }

    @Override
    public void failed(String message) {
      failure = message;
    }

    @Override
    public synchronized void end() {
      ends++;
    }

    @Override
    public Scope activate() {
      return Scope.NONE;
    }
  }
}
