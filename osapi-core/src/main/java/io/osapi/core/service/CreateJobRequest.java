package io.osapi.core.service;

import io.osapi.core.domain.Rollout;
import java.time.Duration;

/**
 * What a caller asks for when creating a job, unvalidated.
 *
 * @param type the operation type, such as {@code system.hostname.get}
 * @param data the operation data as JSON text, or null for none
 * @param target the target text ({@code _any}, {@code _all}, a worker id or {@code key:value}); null
 *     means {@code _any}
 * @param timeout how long the expected workers of a broadcast job have to answer, or null for the
 *     job client's default; must be null for {@code _any}
 * @param rollout a rolling broadcast's batch size, pause and failure limit ({@link Rollout#of},
 *     nothing released), or null to reach every expected worker at once; {@code _all} and label
 *     targets only
 */
public record CreateJobRequest(String type, String data, String target, Duration timeout,
    Rollout rollout) {
  /** A request without a rollout. */
  public CreateJobRequest(String type, String data, String target, Duration timeout) {
    this(type, data, target, timeout, null);
  }

  /** A request with the default timeout. */
  public CreateJobRequest(String type, String data, String target) {
    this(type, data, target, null);
  }

  /** A request for {@code type} with no data, to {@code _any}. */
  public static CreateJobRequest of(String type) {
    return new CreateJobRequest(type, null, null);
  }
}
