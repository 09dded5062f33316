package io.osapi.app.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/**
 * The JSON bodies of the REST API, as records. Field names go on the wire in snake case ({@code
 * jobId} is {@code job_id}); absent values are left out. Times are ISO-8601 UTC strings.
 */
public final class ApiModel {
  private ApiModel() {}

  /**
   * Answer to a create or retry.
   *
   * @param jobId the new job's id
   * @param status its status, {@code submitted}
   * @param created when it was accepted
   * @param traceId the trace its {@code job.create} span is in, or null when it was not traced
   */
  public record CreatedJob(String jobId, String status, String created, String traceId) {}

  /**
   * An operation.
   *
   * @param type the operation type
   * @param data its parameters (a JSON object)
   */
  public record OperationBody(String type, JsonNode data) {}

  /**
   * One job in a listing.
   *
   * @param jobId the job id
   * @param status the computed status
   * @param operation what it runs: its type only (the data is in the job's detail)
   * @param target which workers it is for
   * @param created when it was accepted
   * @param updated the time of its newest event
   */
  public record JobSummary(
      String jobId,
      String status,
      OperationBody operation,
      String target,
      String created,
      String updated) {}

  /**
   * A page of jobs.
   *
   * @param items the jobs, newest first
   * @param total how many match the filter in all
   * @param next the cursor of the next page ({@code ?after=<next>}), absent on the last page
   */
  public record JobList(List<JobSummary> items, int total, String next) {
    /** A page with nothing after it. */
    public JobList(List<JobSummary> items, int total) {
      this(items, total, null);
    }
  }

  /**
   * One worker's state of a job.
   *
   * @param state its highest-priority event
   * @param error its failure message, when failed
   * @param started when it started
   * @param ended when it finished
   * @param durationSeconds started to finished, in seconds
   */
  public record WorkerStateBody(
      String state, String error, String started, String ended, Double durationSeconds) {}

  /**
   * One timeline line.
   *
   * @param time when
   * @param event the event name
   * @param worker who wrote it ({@code _api} for the job client)
   * @param message a sentence for people
   * @param error the error of a failed event
   */
  public record TimelineBody(
      String time, String event, String worker, String message, String error) {}

  /**
   * One attempt's result.
   *
   * @param worker the worker
   * @param attempt the delivery number
   * @param status completed or failed
   * @param data the result JSON
   * @param error the failure message
   * @param time when it was written
   * @param verified whether it is the answer of {@code worker}, signed with its accepted key
   * @param unverifiedReason why not, when not verified
   */
  public record ResultBody(
      String worker, int attempt, String status, JsonNode data, String error, String time,
      Boolean verified, String unverifiedReason) {}

  /**
   * A job in full.
   *
   * @param jobId the job id
   * @param status the computed status
   * @param operation what it runs
   * @param kind query or modify
   * @param target which workers it is for
   * @param created when it was accepted
   * @param updated the time of its newest event
   * @param result the newest completed result
   * @param error the newest failure message, when failed or partial_failure
   * @param workers per-worker states by worker id
   * @param timeline events, oldest first
   * @param results every attempt's result, oldest first
   * @param verified whether {@code result} is the signed answer of its worker (absent without a
   *     result)
   * @param unverifiedReason why not, when not verified
   */
  public record JobDetail(
      String jobId,
      String status,
      OperationBody operation,
      String kind,
      String target,
      String created,
      String updated,
      JsonNode result,
      String error,
      Map<String, WorkerStateBody> workers,
      List<TimelineBody> timeline,
      List<ResultBody> results,
      Boolean verified,
      String unverifiedReason,
      String traceId,
      RolloutBody rollout) {}

  /**
   * A rolling broadcast's settings and progress (job detail).
   *
   * @param batchSize {@code 2} or {@code 25%}
   * @param window at most this many released runs open at a time
   * @param pauseSeconds after a run's end, before the next release
   * @param maxFailures failed released runs allowed before it stops
   * @param expected workers it is for
   * @param released workers released
   * @param running released runs not ended
   * @param done released runs ended
   * @param failed released runs failed
   * @param skipped workers never released
   * @param stopped why it stopped releasing, or null
   */
  public record RolloutBody(String batchSize, int window, long pauseSeconds, int maxFailures,
      int expected, int released, int running, int done, int failed, int skipped,
      String stopped) {}

  /**
   * Job counts.
   *
   * @param total all jobs
   * @param byStatus count per status name, zeros included
   */
  public record Stats(long total, Map<String, Long> byStatus) {}

  /**
   * A worker from the heartbeat registry.
   *
   * @param id the worker id
   * @param labels its labels
   * @param started when it started
   * @param lastHeartbeat when it last reported
   * @param heartbeatAgeSeconds seconds since the registry received that heartbeat (the NATS
   *     server's clock, never the worker's), at the time of the answer
   * @param activeJobs jobs it was running then
   * @param concurrency its job slots
   * @param state {@code ready}, {@code draining} or {@code cordoned}
   * @param clockSkewSeconds how far the worker's clock runs ahead of the registry's (negative:
   *     behind); null when not known
   * @param keyState {@code pending}, {@code accepted} or {@code rejected}: the operator's decision
   *     on the public key it announces (absent when it announces none)
   * @param keyFingerprint that key's fingerprint, to compare with the worker's log
   * @param allowOperations the globs of its {@code --allow-operations}; absent for the default
   *     (every operation that is not privileged)
   */
  public record WorkerBody(
      String id,
      Map<String, String> labels,
      String started,
      String lastHeartbeat,
      double heartbeatAgeSeconds,
      int activeJobs,
      int concurrency,
      String state,
      Double clockSkewSeconds,
      String keyState,
      String keyFingerprint,
      List<String> allowOperations) {}

  /**
   * A page of the live workers.
   *
   * @param workers sorted by id
   * @param total how many live workers in all
   * @param next the {@code after} of the next page; null on the last page
   */
  public record WorkerList(List<WorkerBody> workers, int total, String next) {}

  /**
   * An error answer.
   *
   * @param error what went wrong, one sentence
   * @param details structured details (the offending field, the allowed methods ...)
   */
  public record ErrorBody(String error, Map<String, Object> details) {}

  /**
   * The caller of {@code GET /api/v1/me}.
   *
   * @param subject the token's subject ({@code static-token}, {@code anonymous})
   * @param roles the roles the credential names
   * @param permissions what they allow, sorted
   */
  public record Me(String subject, List<String> roles, List<String> permissions) {}

  /**
   * The answer to one item of a batch.
   *
   * @param index its place in the batch, from 0
   * @param status 201 when created, else what a single create of it would have answered
   * @param jobId the new job's id when created
   * @param error why it was not created, one sentence
   * @param details structured details of the error (the offending field ...)
   */
  public record BatchItem(int index, int status, String jobId, String error,
      Map<String, Object> details) {}

  /**
   * The answer to a batch.
   *
   * @param created how many items were created
   * @param refused how many were not
   * @param items one per item, in the order sent
   */
  public record BatchResult(int created, int refused, List<BatchItem> items) {}

  // ---- request bodies (bound by BodyBinder; the create's is CreateBody.Body)

  /**
   * The body of {@code POST /api/v1/jobs/{id}/retry} (optional).
   *
   * @param target where to run it again (null: where it ran)
   */
  record RetryBody(String target) {}

  /** The body of a request that takes none: no body, or {@code {}} (cancel, drain, keys). */
  record NoFields() {}
}
