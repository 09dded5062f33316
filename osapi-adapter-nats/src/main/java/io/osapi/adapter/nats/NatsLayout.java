package io.osapi.adapter.nats;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.OperationKind;

/** Names of the stream, buckets, keys, subjects and consumers: the NATS layout in one place. */
final class NatsLayout {
  /** The notification stream. */
  static final String STREAM = "JOBS";

  /** Subjects of the notification stream. */
  static final String STREAM_SUBJECTS = "jobs.>";

  /** Bucket of job records, status events and results. */
  static final String JOBS_BUCKET = "osapi-jobs";

  /** Bucket of worker heartbeats. */
  static final String WORKERS_BUCKET = "osapi-workers";

  /** The stream behind {@link #JOBS_BUCKET}. */
  static final String JOBS_KV_STREAM = "KV_" + JOBS_BUCKET;

  /** The stream behind {@link #WORKERS_BUCKET}. */
  static final String WORKERS_KV_STREAM = "KV_" + WORKERS_BUCKET;

  /** Subject prefix of keys in {@link #JOBS_BUCKET}. */
  static final String JOBS_KV_PREFIX = "$KV." + JOBS_BUCKET + ".";

  /** Subject prefix of keys in {@link #WORKERS_BUCKET}. */
  static final String WORKERS_KV_PREFIX = "$KV." + WORKERS_BUCKET + ".";

  private NatsLayout() {}

  static String jobKey(JobId id) {
    return "jobs." + id.value();
  }

  static String eventKey(JobId id, String eventWire, String worker, long nanos) {
    return "status." + id.value() + "." + eventWire + "." + Names.sanitise(worker) + "." + nanos;
  }

  static String resultKey(JobId id, String worker, long nanos) {
    return "responses." + id.value() + "." + Names.sanitise(worker) + "." + nanos;
  }

  /** Which worker runs an {@code _any} job (written before it runs; see NatsJobConsumer). */
  static String claimKey(JobId id) {
    return "claims." + id.value();
  }

  static String workerKey(String workerId) {
    return "workers." + Names.sanitise(workerId);
  }

  /** The durable shared by all workers for {@code _any} jobs of {@code kind}. */
  static String sharedConsumer(OperationKind kind) {
    return kind.token() + "_any";
  }

  /** The filter subject of {@link #sharedConsumer}. */
  static String sharedSubject(OperationKind kind) {
    return "jobs." + kind.token() + "._any";
  }

  /**
   * A worker's own durable for {@code suffix} ({@code _all}, {@code host.<id>}, {@code
   * label.<key>.<prefix>}): {@code query_web01_all}, {@code query_web01_host_web01}, {@code
   * query_web01_label_group_web_dev}.
   */
  static String ownConsumer(OperationKind kind, String workerId, String suffix) {
    String s = suffix.startsWith("_") ? suffix.substring(1) : suffix;
    return kind.token() + "_" + Names.sanitise(workerId) + "_" + Names.sanitise(s);
  }

  /** The filter subject of a worker's own durable. */
  static String ownSubject(OperationKind kind, String suffix) {
    return "jobs." + kind.token() + "." + suffix;
  }
}
