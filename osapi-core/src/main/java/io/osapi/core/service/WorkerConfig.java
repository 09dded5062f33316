package io.osapi.core.service;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.OperationPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How a worker runs.
 *
 * @param workerId its id, stable across restarts
 * @param labels its labels, for label targets
 * @param concurrency job slots (1 to 1024)
 * @param ackWait how long a job may run without an in-progress ack before it is redelivered
 * @param maxDeliver deliveries a job gets at most; the last failing one dead-letters it
 * @param retryDelay delay before a transient failure is delivered again
 * @param heartbeatInterval how often the worker refreshes its registry entry
 * @param fetchWait longest wait of one fetch (bounds how fast a stop is noticed)
 * @param allowed which operations the worker runs ({@code --allow-operations}); null means
 *     {@link OperationPolicy#defaults()}, every operation that is not privileged
 */
public record WorkerConfig(
    String workerId,
    Map<String, String> labels,
    int concurrency,
    Duration ackWait,
    int maxDeliver,
    Duration retryDelay,
    Duration heartbeatInterval,
    Duration fetchWait,
    OperationPolicy allowed) {

  /** Validates every field with a message naming it. */
  public WorkerConfig {
    Names.requireWorkerId("worker-id", workerId);
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    if (concurrency < 1 || concurrency > 1024) {
      throw new InvalidInputException("concurrency", "concurrency must be between 1 and 1024");
    }
    requirePositive("ack-wait", ackWait);
    if (maxDeliver < 1) {
      throw new InvalidInputException("max-deliver", "max-deliver must be at least 1");
    }
    Objects.requireNonNull(retryDelay, "retryDelay");
    if (retryDelay.isNegative()) {
      throw new InvalidInputException("retry-delay", "retry-delay must not be negative");
    }
    requirePositive("heartbeat-interval", heartbeatInterval);
    requirePositive("fetch-wait", fetchWait);
    allowed = allowed == null ? OperationPolicy.defaults() : allowed;
    new ConsumerSpec(workerId, labels, ackWait, maxDeliver); // validates labels
  }

  /** A config with the default allow-list. */
  public WorkerConfig(String workerId, Map<String, String> labels, int concurrency,
      Duration ackWait, int maxDeliver, Duration retryDelay, Duration heartbeatInterval,
      Duration fetchWait) {
    this(workerId, labels, concurrency, ackWait, maxDeliver, retryDelay, heartbeatInterval,
        fetchWait, null);
  }

  /** This config with the allow-list {@code policy}. */
  public WorkerConfig withAllowed(OperationPolicy policy) {
    return new WorkerConfig(workerId, labels, concurrency, ackWait, maxDeliver, retryDelay,
        heartbeatInterval, fetchWait, policy);
  }

  /** Defaults: concurrency 4, ack wait 30 s, 5 deliveries, retry after 1 s, heartbeat 10 s. */
  public static WorkerConfig defaults(String workerId) {
    return new WorkerConfig(
        workerId,
        Map.of(),
        4,
        Duration.ofSeconds(30),
        5,
        Duration.ofSeconds(1),
        Duration.ofSeconds(10),
        Duration.ofSeconds(1));
  }

  /** This config with other labels. */
  public WorkerConfig withLabels(Map<String, String> newLabels) {
    return new WorkerConfig(
        workerId, newLabels, concurrency, ackWait, maxDeliver, retryDelay, heartbeatInterval,
        fetchWait, allowed);
  }

  /** This config with another concurrency. */
  public WorkerConfig withConcurrency(int n) {
    return new WorkerConfig(
        workerId, labels, n, ackWait, maxDeliver, retryDelay, heartbeatInterval, fetchWait,
        allowed);
  }

  /** This config with other ack wait and max deliver. */
  public WorkerConfig withDelivery(Duration newAckWait, int newMaxDeliver, Duration newRetryDelay) {
    return new WorkerConfig(
        workerId, labels, concurrency, newAckWait, newMaxDeliver, newRetryDelay,
        heartbeatInterval, fetchWait, allowed);
  }

  /** The queue consumer this worker reads with. */
  public ConsumerSpec consumerSpec() {
    return new ConsumerSpec(workerId, labels, ackWait, maxDeliver);
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new InvalidInputException(name, name + " must be positive");
    }
  }
}
