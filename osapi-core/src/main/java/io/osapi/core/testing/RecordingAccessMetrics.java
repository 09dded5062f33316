package io.osapi.core.testing;

import io.osapi.core.port.AccessMetrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** {@link AccessMetrics} that counts what it is told, for tests to assert on. Thread-safe. */
public final class RecordingAccessMetrics implements AccessMetrics {
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final LongAdder records = new LongAdder();
  private final LongAdder writeFailures = new LongAdder();

  @Override
  public void authFailure(String reason) {
    failures.computeIfAbsent(REASONS.contains(reason) ? reason : "invalid", r -> new LongAdder())
        .increment();
  }

  @Override
  public void auditRecorded() {
    records.increment();
  }

  @Override
  public void auditWriteFailed() {
    writeFailures.increment();
  }

  /** Refusals counted with {@code reason}. */
  public long authFailures(String reason) {
    LongAdder a = failures.get(reason);
    return a == null ? 0 : a.sum();
  }

  /** Audit records stored. */
  public long auditRecords() {
    return records.sum();
  }

  /** Audit records that could not be stored. */
  public long auditWriteFailures() {
    return writeFailures.sum();
  }
}
