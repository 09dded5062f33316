package io.osapi.core.domain;

/**
 * Runs one operation on the worker's host. Any exception fails the job for good, except {@link
 * TransientOperationException}, which hands the job back to the queue for another try.
 */
@FunctionalInterface
public interface OperationHandler {
  /**
   * Runs the operation.
   *
   * @param context the job's parameters and the worker it runs on
   * @return the result as JSON text (an object, array or value), or null for no result
   * @throws Exception to fail the job; the message is shown to the user
   */
  String execute(OperationContext context) throws Exception;
}
