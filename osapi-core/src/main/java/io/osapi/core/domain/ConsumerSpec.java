package io.osapi.core.domain;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * What a worker consumes: the shared {@code _any} families, {@code _all}, its own host subjects and
 * every prefix of each of its labels.
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
   * The subject suffixes (after {@code jobs.<kind>.}) this worker listens on besides {@code _any}:
   * {@code _all}, {@code host.<id>}, and {@code label.<key>.<prefix>} for every prefix of each
   * label value.
   */
  public java.util.List<String> ownSubjectSuffixes() {
    java.util.List<String> out = new java.util.ArrayList<>();
    out.add("_all");
    out.add("host." + Names.sanitise(workerId));
    for (Map.Entry<String, String> l : new java.util.TreeMap<>(labels).entrySet()) {
      String[] seg = l.getValue().split("\\.");
      StringBuilder prefix = new StringBuilder();
      for (String s : seg) {
        if (prefix.length() > 0) {
          prefix.append('.');
        }
        prefix.append(s);
        out.add("label." + l.getKey() + "." + prefix);
      }
    }
    return java.util.List.copyOf(out);
  }
}
