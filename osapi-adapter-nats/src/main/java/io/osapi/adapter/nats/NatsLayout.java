package io.osapi.adapter.nats;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Job;
import io.osapi.core.domain.JobId;
import io.osapi.core.domain.JobNotification;
import io.osapi.core.domain.Names;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.RunKey;
import io.osapi.core.domain.Target;

/**
 * Names of the streams, buckets, keys, subjects, headers and consumers: the NATS layout in one
 * place, and the only place that spells them.
 *
 * <pre>
 * stream JOBS              jobs.&lt;kind&gt;.&lt;target suffix&gt;   job notifications (the whole job;
 *                          a rollout's released run: jobs.&lt;kind&gt;.host.&lt;worker token&gt;)
 * stream JOBS_ADVISORIES   $JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.JOBS.*
 * stream JOBS_DEADLINES    osapi.deadlines.&lt;id&gt;          broadcast job deadlines (work queue)
 * stream AUDIT             osapi.audit.&lt;id token&gt;        audit records, one per request id
 * bucket osapi-jobs        jobs.&lt;id&gt;                      the job record
 *                          runs.&lt;id&gt;._any                 the run of an _any job
 *                          runs.&lt;id&gt;.&lt;worker id&gt;          one expected worker's run of a broadcast job
 * bucket osapi-workers     workers.&lt;worker token&gt;  heartbeats
 * bucket osapi-worker-state drain.&lt;worker token&gt;    drain requests (no TTL)
 *                          keys.&lt;worker token&gt;     decisions on workers' keys (no TTL)
 * bucket osapi-schedules   schedules.&lt;name&gt;           schedules (no TTL; controllers only)
 * bucket osapi-idempotency keys.&lt;sha-256 hex&gt;        idempotency keys of creates (TTL the window;
 *                          controllers only)
 * </pre>
 *
 * A worker token ({@link #workerToken}) is the worker id with each dot written {@code =}: one
 * token, and one per id ({@code web.01} is {@code web=01}, {@code web_01} stays {@code web_01}), so
 * two ids never share a heartbeat, a drain request or a durable. Ids without a dot keep the token
 * (and key) they had when ids were sanitised into keys.
 *
 * Worker ids (up to 64 characters of {@code [A-Za-z0-9._-]}, dots only between other characters:
 * {@link Names#requireWorkerId}) are valid key tokens and go into run keys as they are; a dot in
 * one makes the key deeper, which is why a run key is parsed from its third token to the end.
 */
final class NatsLayout {
  /** The notification stream. */
  static final String STREAM = "JOBS";

  /** Subjects of the notification stream. */
  static final String STREAM_SUBJECTS = "jobs.>";

  /** The stream that keeps the max-deliveries advisories of {@link #STREAM}'s consumers. */
  static final String ADVISORY_STREAM = "JOBS_ADVISORIES";

  /** What {@link #ADVISORY_STREAM} captures: one subject per consumer of {@link #STREAM}. */
  static final String ADVISORY_SUBJECTS =
      "$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES." + STREAM + ".*";

  /** The one durable on {@link #ADVISORY_STREAM}, shared by every controller. */
  static final String ADVISORY_CONSUMER = "osapi_exhausted";

  /** The work-queue stream of broadcast job deadlines. */
  static final String DEADLINE_STREAM = "JOBS_DEADLINES";

  /** What {@link #DEADLINE_STREAM} holds: one subject per job. */
  static final String DEADLINE_SUBJECTS = "osapi.deadlines.>";

  /** The one durable on {@link #DEADLINE_STREAM}, shared by every controller. */
  static final String DEADLINE_CONSUMER = "osapi_deadlines";

  /**
   * The stream of audit records: one subject per record id, one message per subject, so the final
   * record replaces the pending one. Controllers only: workers may neither read nor write it.
   */
  static final String AUDIT_STREAM = "AUDIT";

  /** What {@link #AUDIT_STREAM} holds. */
  static final String AUDIT_SUBJECTS = "osapi.audit.>";

  private static final String AUDIT_SUBJECT_PREFIX = "osapi.audit.";

  /**
   * The subject of the audit record {@code id}: {@code osapi.audit.<id>} for an id of letters,
   * digits and {@code -} (a UUID), else {@code osapi.audit._<id in unpadded base64url>}, which no id
   * of the first kind spells, so two ids never share a subject.
   */
  static String auditSubject(String id) {
    return AUDIT_SUBJECT_PREFIX + auditToken(id);
  }

  private static String auditToken(String id) {
    boolean plain = !id.isEmpty();
    for (int i = 0; i < id.length() && plain; i++) {
      char c = id.charAt(i);
      plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-';
    }
    return plain ? id : "_" + java.util.Base64.getUrlEncoder()
        .withoutPadding().encodeToString(id.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /**
   * The {@code Nats-Msg-Id} of an audit record: its id (as in its subject) and phase ({@code
   * <id>/pending}, {@code <id>/final}), so a retried append of either is stored once within the
   * duplicate window.
   */
  static String auditMessageId(String id, boolean pending) {
    return auditToken(id) + (pending ? "/pending" : "/final");
  }

  /** Bucket of job records and runs. */
  static final String JOBS_BUCKET = "osapi-jobs";

  /** Bucket of worker heartbeats. */
  static final String WORKERS_BUCKET = "osapi-workers";

  /** Bucket of drain requests: no TTL, they outlive a worker's restart. */
  static final String WORKER_STATE_BUCKET = "osapi-worker-state";

  /** Bucket of schedules (the controllers' alone): no TTL, one key per schedule. */
  static final String SCHEDULES_BUCKET = "osapi-schedules";

  /** Bucket of the idempotency keys of creates (the controllers' alone): max age the window. */
  static final String IDEMPOTENCY_BUCKET = "osapi-idempotency";

  /** The key of an idempotency key's store name (64 hex digits: one key token). */
  static String idempotencyKey(String storeKey) {
    return "keys." + storeKey;
  }

  /** The key of schedule {@code name} (a valid schedule name is one key token). */
  static String scheduleKey(String name) {
    return "schedules." + name;
  }

  /** The stream behind {@link #SCHEDULES_BUCKET}. */
  static final String SCHEDULES_KV_STREAM = "KV_" + SCHEDULES_BUCKET;

  /** Subject prefix of keys in {@link #SCHEDULES_BUCKET}. */
  static final String SCHEDULES_KV_PREFIX = "$KV." + SCHEDULES_BUCKET + ".";

  /** Every schedule key's subject in {@link #SCHEDULES_BUCKET}. */
  static final String SCHEDULES_KV_ALL = SCHEDULES_KV_PREFIX + "schedules.*";

  /** The stream behind {@link #JOBS_BUCKET}. */
  static final String JOBS_KV_STREAM = "KV_" + JOBS_BUCKET;

  /** The stream behind {@link #WORKERS_BUCKET}. */
  static final String WORKERS_KV_STREAM = "KV_" + WORKERS_BUCKET;

  /** Subject prefix of keys in {@link #JOBS_BUCKET}. */
  static final String JOBS_KV_PREFIX = "$KV." + JOBS_BUCKET + ".";

  /** Subject prefix of a direct get of the latest value of a key of {@link #JOBS_BUCKET}. */
  private static final String JOBS_DIRECT_GET =
      "$JS.API.DIRECT.GET." + JOBS_KV_STREAM + "." + JOBS_KV_PREFIX;

  /** The subject of a direct get of the latest value of {@code key} in {@link #JOBS_BUCKET}. */
  static String jobsDirectGet(String key) {
    return JOBS_DIRECT_GET + key;
  }

  /** Subject prefix of keys in {@link #WORKERS_BUCKET}. */
  static final String WORKERS_KV_PREFIX = "$KV." + WORKERS_BUCKET + ".";

  /** Every key of {@link #JOBS_BUCKET}: records and runs, for the headers-only status scan. */
  static final String JOBS_KV_ALL = JOBS_KV_PREFIX + ">";

  /** Every heartbeat key of {@link #WORKERS_BUCKET}. */
  static final String WORKERS_KV_ALL = WORKERS_KV_PREFIX + "workers.*";

  /**
   * Keys only an osapi before the v2 store wrote (status events; results and claims came with
   * them): one of these in the bucket means a store this version cannot read.
   */
  static final String V1_KEYS = JOBS_KV_PREFIX + "status.>";

  /** Start of the description of a worker's own durable, followed by its worker id. */
  private static final String OWN_DESCRIPTION = "osapi worker ";

  private static final String JOB_SUBJECT_PREFIX = JOBS_KV_PREFIX + "jobs.";
  private static final String RUN_SUBJECT_PREFIX = JOBS_KV_PREFIX + "runs.";
  private static final int ID_LENGTH = 36;

  private NatsLayout() {}

  static String jobKey(JobId id) {
    return "jobs." + id.value();
  }

  static String runKey(RunKey key) {
    return "runs." + key.job().value() + "." + key.slot();
  }

  /** The subject a job record is written to. */
  static String jobSubject(JobId id) {
    return JOB_SUBJECT_PREFIX + id.value();
  }

  /** The subject a run is written to. */
  static String runSubject(RunKey key) {
    return RUN_SUBJECT_PREFIX + key.job().value() + "." + key.slot();
  }

  /** The filter subject of every run of a job: {@code $KV.osapi-jobs.runs.<id>.>}. */
  static String runsOfJob(JobId id) {
    return RUN_SUBJECT_PREFIX + id.value() + ".>";
  }

  /** The job of a record subject ({@code $KV.osapi-jobs.jobs.<id>}), or null for other subjects. */
  static JobId jobOfRecordSubject(String subject) {
    if (!subject.startsWith(JOB_SUBJECT_PREFIX)
        || subject.length() != JOB_SUBJECT_PREFIX.length() + ID_LENGTH) {
      return null;
    }
    return jobId(subject.substring(JOB_SUBJECT_PREFIX.length()));
  }

  /** The run of a run subject ({@code $KV.osapi-jobs.runs.<id>.<slot>}), or null for others. */
  static RunKey runOfSubject(String subject) {
    int p = RUN_SUBJECT_PREFIX.length();
    if (!subject.startsWith(RUN_SUBJECT_PREFIX)
        || subject.length() < p + ID_LENGTH + 2
        || subject.charAt(p + ID_LENGTH) != '.') {
      return null;
    }
    JobId id = jobId(subject.substring(p, p + ID_LENGTH));
    if (id == null) {
      return null;
    }
    try {
      return new RunKey(id, subject.substring(p + ID_LENGTH + 1));
    } catch (InvalidInputException e) {
      return null;
    }
  }

  private static JobId jobId(String token) {
    try {
      return new JobId(token);
    } catch (InvalidInputException e) {
      return null;
    }
  }

  /**
   * True when {@code key} is a valid KV key, and so a valid subject under its bucket's prefix:
   * dot-separated non-empty tokens of {@code [A-Za-z0-9_=/-]}. Keys made here from valid ids
   * always are; this is the check that a value which is not is refused at once, never sent.
   */
  static boolean validKey(String key) {
    if (key == null || key.isEmpty() || key.startsWith(".") || key.endsWith(".")
        || key.contains("..")) {
      return false;
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-' || c == '=' || c == '/';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** The subject of a job's deadline message. */
  static String deadlineSubject(JobId id) {
    return "osapi.deadlines." + id.value();
  }

  /**
   * A worker id as one key token and inside durable names: each dot written {@code =}, which no
   * worker id holds, so different ids never share a token.
   *
   * @throws InvalidInputException when {@code workerId} is not a worker id
   */
  static String workerToken(String workerId) {
    return Names.requireWorkerId("worker", workerId).replace('.', '=');
  }

  /** The key of the decision on a worker's public key in {@link #WORKER_STATE_BUCKET}. */
  static String keyDecisionKey(String workerId) {
    return "keys." + workerToken(workerId);
  }

  /** The stream behind {@link #WORKER_STATE_BUCKET}. */
  static final String WORKER_STATE_KV_STREAM = "KV_" + WORKER_STATE_BUCKET;

  /** Subject prefix of keys in {@link #WORKER_STATE_BUCKET}. */
  static final String WORKER_STATE_KV_PREFIX = "$KV." + WORKER_STATE_BUCKET + ".";

  /** Every key decision of {@link #WORKER_STATE_BUCKET}, as subjects. */
  static final String KEY_DECISIONS_ALL = WORKER_STATE_KV_PREFIX + "keys.*";

  /** Every drain request's subject in {@link #WORKER_STATE_BUCKET} (legacy keys included). */
  static final String DRAINS_ALL = WORKER_STATE_KV_PREFIX + "drain.*";

  /** The key of a worker's drain request in {@link #WORKER_STATE_BUCKET}. */
  static String drainKey(String workerId) {
    return "drain." + workerToken(workerId);
  }

  /**
   * The key an osapi before worker tokens used for the drain request of a worker with a dot in its
   * id (the dots sanitised to {@code _}, so ids could share it: its value tells whose it is), or
   * null when that is {@link #drainKey}.
   */
  static String legacyDrainKey(String workerId) {
    return workerId.indexOf('.') < 0 ? null : "drain." + Names.sanitise(workerId);
  }

  /** The key of a worker's heartbeat in {@link #WORKERS_BUCKET}. */
  static String workerKey(String workerId) {
    return "workers." + workerToken(workerId);
  }

  /** The key of a heartbeat subject ({@code $KV.osapi-workers.workers.<token>}), or null. */
  static String keyOfWorkerSubject(String subject) {
    return subject.startsWith(WORKERS_KV_PREFIX) ? subject.substring(WORKERS_KV_PREFIX.length())
        : null;
  }

  /** The durable shared by all workers for {@code _any} jobs of {@code kind}. */
  static String sharedConsumer(OperationKind kind) {
    return kind.token() + "_any";
  }

  /** True for the name of a shared durable. */
  static boolean isSharedConsumer(String name) {
    for (OperationKind kind : OperationKind.values()) {
      if (sharedConsumer(kind).equals(name)) {
        return true;
      }
    }
    return false;
  }

  /** The subject of a job's notification: {@code jobs.<kind>.<target suffix>}. */
  static String notificationSubject(Job job) {
    return "jobs." + job.kind().token() + "." + suffix(job.target());
  }

  /**
   * The subject of a notification: its job's ({@link #notificationSubject(Job)}), or for a rolling
   * broadcast's run released to one worker that worker's host subject {@code
   * jobs.<kind>.host.<worker token>} (which only its own durable reads).
   */
  static String notificationSubject(JobNotification n) {
    return n.releasedTo() == null ? notificationSubject(n.job())
        : "jobs." + n.job().kind().token() + "." + suffix(new Target.Host(n.releasedTo()));
  }

  /**
   * The {@code Nats-Msg-Id} of a notification: the job id, or {@code <job id>/<worker token>} for
   * a run released to one worker (so each worker's release is stored once, and apart).
   */
  static String notificationMessageId(JobNotification n) {
    String id = n.job().id().value();
    return n.releasedTo() == null ? id : id + "/" + workerToken(n.releasedTo());
  }

  /**
   * A target's subject suffix after {@code jobs.<kind>.}, made of safe tokens only: {@code _any},
   * {@code _all}, {@code host.<worker token>}, {@code label.<key>.<value>}.
   */
  static String suffix(Target target) {
    if (target instanceof Target.Host h) {
      return "host." + workerToken(h.workerId());
    }
    if (target instanceof Target.Label l) {
      return "label." + l.key() + "." + l.value();
    }
    return target.text(); // _any, _all
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
    // dots become _ as they always did; the = of a worker token stays, so names stay one per id
    return ownConsumerPrefix(kind, workerId) + s.replace('.', '_');
  }

  /**
   * How the names of {@code workerId}'s own durables of {@code kind} begin: {@code
   * <kind>_<worker token>_}. An osapi before worker tokens sanitised ids here, so two ids could
   * share a prefix; the description is what tells.
   */
  static String ownConsumerPrefix(OperationKind kind, String workerId) {
    return kind.token() + "_" + workerToken(workerId) + "_";
  }

  /** The filter subject of a worker's own durable. */
  static String ownSubject(OperationKind kind, String suffix) {
    return "jobs." + kind.token() + "." + suffix;
  }

  /** The description of a worker's own durable: names the worker exactly. */
  static String ownDescription(String workerId, String filter) {
    return OWN_DESCRIPTION + workerId + " " + filter;
  }

  /** The description of a shared durable. */
  static String sharedDescription(String filter) {
    return "osapi shared " + filter;
  }

  /** The worker of a description made by {@link #ownDescription}, or null. */
  static String workerOfDescription(String description) {
    if (description == null || !description.startsWith(OWN_DESCRIPTION)) {
      return null;
    }
    int end = description.indexOf(' ', OWN_DESCRIPTION.length());
    String id = description.substring(OWN_DESCRIPTION.length(), end < 0 ? description.length() : end);
    try {
      return Names.requireWorkerId("worker", id);
    } catch (InvalidInputException e) {
      return null;
    }
  }
}
