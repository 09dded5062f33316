package io.osapi.adapter.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.osapi.core.domain.RefusalReason;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code osapi_jobs_refused_total{operation,reason}}: jobs a worker refused without running them.
 * Its series are precomputed (registered operations and {@code other}, times the reasons), so no
 * caller mints one; {@link #start()} puts them all in place at 0.
 */
final class RefusedJobs {
  static final AttributeKey<String> REASON = AttributeKey.stringKey("reason");

  private final LongCounter counter;
  private final Map<String, Map<RefusalReason, Attributes>> byOperation = new HashMap<>();
  private final Map<RefusalReason, Attributes> other;

  RefusedJobs(Meter meter, Set<String> operations, String otherOperation) {
    counter = meter.counterBuilder(OtelJobMetrics.JOBS_REFUSED).setUnit("{job}")
        .setDescription("Jobs a worker refused without running them, by reason: not_allowed (its"
            + " --allow-operations does not name the operation) or bad_signature (a privileged"
            + " job not validly signed); each failed once and dead-lettered.")
        .build();
    for (String op : operations) {
      byOperation.put(op, attributes(op));
    }
    other = byOperation.computeIfAbsent(otherOperation, RefusedJobs::attributes);
  }

  private static Map<RefusalReason, Attributes> attributes(String operation) {
    Map<RefusalReason, Attributes> m = new EnumMap<>(RefusalReason.class);
    for (RefusalReason r : RefusalReason.values()) {
      m.put(r, Attributes.of(OtelJobMetrics.OPERATION, operation, REASON, r.wire()));
    }
    return m;
  }

  /** One more refusal; an unknown operation counts as {@code other}. */
  void add(String operation, RefusalReason reason) {
    if (reason == null) {
      return;
    }
    Map<RefusalReason, Attributes> m = operation == null ? other
        : byOperation.getOrDefault(operation, other);
    counter.add(1, m.get(reason));
  }

  /** Every series at 0. */
  void start() {
    for (Map<RefusalReason, Attributes> m : byOperation.values()) {
      m.values().forEach(a -> counter.add(0, a));
    }
  }
}
