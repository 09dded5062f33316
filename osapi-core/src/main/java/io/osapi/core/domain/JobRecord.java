package io.osapi.core.domain;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A stored job: the job itself (immutable), the workers expected to run it when it is a broadcast
 * job, and the job-level timeline (queued, retried). Its runs live beside it under {@link RunKey}s:
 * one shared run for an {@code _any} job, one per expected worker otherwise, so a job's detail is
 * read from known keys only.
 *
 * @param job the job
 * @param expected the workers expected to run a broadcast job, fixed at submit (from the worker
 *     registry); empty for an {@code _any} job
 * @param timeline job-level entries, oldest first, at most {@link Run#MAX_TIMELINE} (the first and
 *     newest are kept)
 * @param timeout how long after {@link Job#created()} the expected workers have to answer a
 *     broadcast job (then the runs still not terminal are failed: "did not respond"); null for an
 *     {@code _any} job, and for a record written before job timeouts existed (never timed out)
 * @param trace the context of the job's {@code job.create} span, which its runs are traced under;
 *     null when it was not traced (tracing off, or a record written before tracing)
 * @param cancelRequested when a cancel of the job was stored (compare-and-set on this record,
 *     before its open runs are ended), or null when none was
 * @param rollout how a rolling broadcast releases its expected workers and how far it got, or
 *     null for a broadcast to every expected worker at once (and an {@code _any} job)
 */
public record JobRecord(
    Job job, List<String> expected, List<TimelineEntry> timeline, Duration timeout,
    TraceContext trace, Instant cancelRequested, Rollout rollout) {
  /** Checks for nulls; an {@code _any} job expects no one and has no timeout, a broadcast job expects someone. */
  public JobRecord {
    Objects.requireNonNull(job, "job");
    expected = List.copyOf(expected == null ? List.of() : expected);
    timeline = Run.bounded(timeline == null ? List.of() : timeline);
    if (job.target() instanceof Target.Any) {
      if (!expected.isEmpty()) {
        throw new IllegalArgumentException("an _any job has no expected workers");
      }
    } else if (expected.isEmpty()) {
      throw new IllegalArgumentException("a broadcast job needs expected workers");
    }
    expected.forEach(w -> Names.requireWorkerId("expected worker", w));
    if (timeout != null) {
      if (job.target() instanceof Target.Any) {
        throw new IllegalArgumentException("an _any job has no timeout");
      }
      if (timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("timeout must be positive: " + timeout);
      }
    }
    if (rollout != null && !(job.target() instanceof Target.All
        || job.target() instanceof Target.Label)) {
      throw new IllegalArgumentException("a rollout is for _all and label targets only");
    }
  }

  /** A record without a rollout. */
  public JobRecord(Job job, List<String> expected, List<TimelineEntry> timeline,
      Duration timeout, TraceContext trace, Instant cancelRequested) {
    this(job, expected, timeline, timeout, trace, cancelRequested, null);
  }

  /** A record that was not traced, without a cancel request. */
  public JobRecord(Job job, List<String> expected, List<TimelineEntry> timeline,
      Duration timeout) {
    this(job, expected, timeline, timeout, null, null);
  }

  /** A record without a timeout (an {@code _any} job, or one never timed out). */
  public JobRecord(Job job, List<String> expected, List<TimelineEntry> timeline) {
    this(job, expected, timeline, null);
  }

  /** A new record for {@code job}, with its "queued" timeline entry and no timeout. */
  public static JobRecord submitted(Job job, List<String> expected) {
    return submitted(job, expected, null);
  }

  /**
   * A new record for {@code job}, with its "queued" timeline entry.
   *
   * @param timeout how long the expected workers of a broadcast job have to answer; null for an
   *     {@code _any} job
   */
  public static JobRecord submitted(Job job, List<String> expected, Duration timeout) {
    return new JobRecord(job, expected,
        List.of(new TimelineEntry(job.created(), "submitted", "_api", "queued", null)), timeout);
  }

  /** When the expected workers' runs that are not terminal are failed, or null for none. */
  public Instant deadline() {
    return timeout == null ? null : job.created().plus(timeout);
  }

  /** This record with one more timeline entry (past the bound, the first and newest are kept). */
  public JobRecord with(TimelineEntry entry) {
    List<TimelineEntry> t = new ArrayList<>(timeline);
    t.add(entry);
    return new JobRecord(job, expected, t, timeout, trace, cancelRequested, rollout);
  }

  /** This record with {@code context} as the context its runs are traced under. */
  public JobRecord withTrace(TraceContext context) {
    return new JobRecord(job, expected, timeline, timeout, context, cancelRequested, rollout);
  }

  /** This record with {@code next} as its rollout (a release step, or its stop). */
  public JobRecord withRollout(Rollout next) {
    return new JobRecord(job, expected, timeline, timeout, trace, cancelRequested, next);
  }

  /**
   * Whether the run under {@code key} may be run: always, but for a rolling broadcast's expected
   * workers not released yet.
   */
  public boolean released(RunKey key) {
    if (rollout == null || key.shared()) {
      return true;
    }
    int i = expected.indexOf(key.slot());
    return i >= 0 && rollout.isReleased(i);
  }

  /**
   * This record with a cancel requested at {@code at} by {@code by}, noted in its timeline.
   *
   * @throws IllegalStateException when a cancel was requested already
   */
  public JobRecord cancel(String by, Instant at) {
    if (cancelRequested != null) {
      throw new IllegalStateException("a cancel was requested already, at " + cancelRequested);
    }
    List<TimelineEntry> t = new ArrayList<>(timeline);
    t.add(new TimelineEntry(at, "cancel_requested", "_api", "cancel requested by " + by, null));
    return new JobRecord(job, expected, t, timeout, trace, at, rollout);
  }

  /** The keys of this job's runs: the shared one, or one per expected worker. */
  public List<RunKey> runKeys() {
    if (expected.isEmpty()) {
      return List.of(RunKey.any(job.id()));
    }
    List<RunKey> keys = new ArrayList<>(expected.size());
    expected.forEach(w -> keys.add(RunKey.of(job.id(), w)));
    return keys;
  }
}
