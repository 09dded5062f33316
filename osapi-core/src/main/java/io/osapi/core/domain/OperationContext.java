package io.osapi.core.domain;

import io.osapi.core.internal.Json;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * What a handler sees of the job it runs.
 *
 * @param jobId the job id
 * @param operation the operation with its data
 * @param workerId the worker running it
 * @param labels that worker's labels
 * @param attempt the delivery number, from 1
 * @param cancellation whether the run was cancelled (a flag and a future); never null
 */
public record OperationContext(
    JobId jobId, Operation operation, String workerId, Map<String, String> labels, int attempt,
    Cancellation cancellation) {

  /** Checks that there is a cancellation. */
  public OperationContext {
    Objects.requireNonNull(cancellation, "cancellation");
  }

  /** A context whose run is never cancelled. */
  public OperationContext(
      JobId jobId, Operation operation, String workerId, Map<String, String> labels, int attempt) {
    this(jobId, operation, workerId, labels, attempt, Cancellation.never());
  }

  /** True once the run was cancelled: the handler should stop, its outcome is dropped. */
  public boolean cancelled() {
    return cancellation.requested();
  }

  /** Completes when the run is cancelled (see {@link Cancellation#future()}). */
  public CompletableFuture<Void> whenCancelled() {
    return cancellation.future();
  }

  /** The operation data parsed as a JSON object ({@code {}} gives an empty map). */
  public Map<String, Object> dataObject() {
    return Json.parseObject(operation.data());
  }
}
