package io.osapi.core.domain;

import io.osapi.core.internal.Json;
import java.util.Map;

/**
 * What a handler sees of the job it runs.
 *
 * @param jobId the job id
 * @param operation the operation with its data
 * @param workerId the worker running it
 * @param labels that worker's labels
 * @param attempt the delivery number, from 1
 */
public record OperationContext(
    JobId jobId, Operation operation, String workerId, Map<String, String> labels, int attempt) {

  /** The operation data parsed as a JSON object ({@code {}} gives an empty map). */
  public Map<String, Object> dataObject() {
    return Json.parseObject(operation.data());
  }
}
