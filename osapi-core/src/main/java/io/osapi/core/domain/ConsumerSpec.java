package io.osapi.core.domain;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a worker consumes: the shared {@code _any} jobs and its {@link #ownTargets()}.
 *
 * @param workerId the worker id
 * @param labels the worker's labels
 * @param ackWait how long a delivery may stay unacknowledged before it is redelivered
 * @param maxDeliver how many deliveries a message gets at most
 */
public record ConsumerSpec(
    String workerId, Map<String, String> labels, Duration ackWait, int maxDeliver) {
  /** Validates the id, labels, ack wait and max deliver. */
  public ConsumerSpec {
    Names.requireWorkerId("worker id", workerId);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    labels.forEach(
        (k, v) -> {
          Names.requireLabelKey("label", k);
          Names.requireLabelValue("label", v);
        });
    Objects.requireNonNull(ackWait, "ackWait");
    if (ackWait.isNegative() || ackWait.isZero()) {
      throw new InvalidInputException("ack-wait", "ack wait must be positive");
    }
    if (maxDeliver < 1) {
      throw new InvalidInputException("max-deliver", "max deliver must be at least 1");
    }
  }

  /**
   * The targets that reach this worker besides {@code _any}, each of which its queue gives it a
   * stream of its own for: {@code _all}, its own id, and {@code key:<prefix>} for every dotted
   * prefix of each label value ({@code group=web.dev} is reached by {@code group:web} and {@code
   * group:web.dev}). How a broker spells them is the broker adapter's business.
   */
  public List<Target> ownTargets() {
    List<Target> out = new ArrayList<>();
    out.add(Target.All.INSTANCE);
    out.add(new Target.Host(workerId));
    for (Map.Entry<String, String> l : new TreeMap<>(labels).entrySet()) {
      String[] seg = l.getValue().split("\\.");
      StringBuilder prefix = new StringBuilder();
      for (String s : seg) {
        if (prefix.length() > 0) {
          prefix.append('.');
        }
        prefix.append(s);
        out.add(new Target.Label(l.getKey(), prefix.toString()));
      }
    }
    return List.copyOf(out);
  }
}
