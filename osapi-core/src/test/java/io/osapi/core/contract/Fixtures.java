package io.osapi.core.contract;

import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.function.BooleanSupplier;

/** Shared helpers for the contract tests. */
public final class Fixtures {
  private Fixtures() {}

  /** A new {@code diag.echo} query job for {@code target}, created now (millisecond precision). */
  public static Job job(String target) {
    return job(target, OperationKind.QUERY);
  }

  /** A new {@code diag.echo} job of {@code kind} for {@code target}. */
  public static Job job(String target, OperationKind kind) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    return new Job(
        JobId.generate(Clock.systemUTC()),
        new Operation("diag.echo", "{\"n\":1}"),
        kind,
        Target.parse(target),
        now);
  }

  /** Polls {@code condition} every 20 ms until it holds or {@code timeout} passes. */
  public static boolean eventually(Duration timeout, BooleanSupplier condition) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      if (condition.getAsBoolean()) {
        return true;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return condition.getAsBoolean();
  }
}
