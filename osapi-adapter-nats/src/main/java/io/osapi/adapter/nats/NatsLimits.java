package io.osapi.adapter.nats;

import java.time.Duration;

/**
 * The limits of every stream and bucket osapi creates, and why: one place, so that no stream is
 * created without one (docs/operations.md, "Limits of the streams and buckets", says the same for
 * operators). Every stream gets a byte limit, its share of {@link NatsSettings#maxBytes()} (the
 * storage osapi may take on each server), and a max age or a message limit that follows from its
 * purpose. nats-server reserves a stream's byte limit when it creates the stream, so once they are
 * created osapi's streams always have their room, and the job bucket fills its own bound (and is
 * answered 507) before the server's store is full.
 */
final class NatsLimits {
  /** Share of {@link NatsSettings#maxBytes()} of bucket {@code osapi-jobs}: records and runs. */
  static final int JOBS_PERCENT = 40;

  /**
   * Share of stream {@code JOBS}: one notification per job, never larger than its record, so it
   * keeps the notification of every job the bucket can hold.
   */
  static final int NOTIFICATIONS_PERCENT = 40;

  /**
   * Share of stream {@code AUDIT}: one record (about 400 bytes) per state-changing request, kept
   * {@link NatsSettings#auditRetention()}; 80 MiB at 1 GiB is about 200,000 records, and the
   * oldest go first when it is full (10 % before idempotency keys took 2 %).
   */
  static final int AUDIT_PERCENT = 8;

  /** The default of {@link NatsSettings#auditRetention()}: 30 days. */
  static final Duration DEFAULT_AUDIT_RETENTION = Duration.ofDays(30);

  /** The shortest {@link NatsSettings#auditRetention()}. */
  static final Duration MIN_AUDIT_RETENTION = Duration.ofHours(1);

  /** The longest {@link NatsSettings#auditRetention()}. */
  static final Duration MAX_AUDIT_RETENTION = Duration.ofDays(3650);

  /**
   * Share of stream {@code JOBS_DEADLINES}: one small message per broadcast job until it is due
   * (3 % of 1 GiB is about 100,000 deadlines; 4 % before schedules took 1 %).
   */
  static final int DEADLINES_PERCENT = 3;

  /**
   * Share of stream {@code JOBS_ADVISORIES}: one small advisory (about 300 bytes) per job whose
   * deliveries ran out, read by the controllers within seconds (2 % before idempotency keys took
   * 1 %).
   */
  static final int ADVISORIES_PERCENT = 1;

  /** Share of bucket {@code osapi-workers}: one heartbeat per live worker. */
  static final int WORKERS_PERCENT = 3;

  /** Share of bucket {@code osapi-worker-state}: one drain request per worker at most. */
  static final int WORKER_STATE_PERCENT = 1;

  /**
   * The longest a deadline waits in {@code JOBS_DEADLINES} before it is due: the longest job
   * timeout a create may ask for (24 h, {@code timeout_seconds} 86400).
   */
  static final Duration LONGEST_JOB_TIMEOUT = Duration.ofHours(24);

  /**
   * How long a deadline is kept past the longest timeout: time for a controller to be started
   * again and handle it. A deadline older than this is dropped by the server.
   */
  static final Duration DEADLINE_GRACE = Duration.ofHours(24);

  /** Drain requests kept at most: one per worker, for fleets of up to this many workers. */
  static final long MAX_DRAIN_REQUESTS = 100_000;

  /**
   * Share of bucket {@code osapi-schedules}: one value per schedule, at most 1,000 of a few KiB
   * (10 MiB at 1 GiB).
   */
  static final int SCHEDULES_PERCENT = 1;

  /**
   * Share of bucket {@code osapi-idempotency}: one key (about 500 bytes with its answer) per
   * create that sent one, kept {@link NatsSettings#idempotencyWindow()}: 30 MiB at 1 GiB is about
   * 60,000 keys in the window. When full, a create with a key is refused (507); one without is
   * not affected.
   */
  static final int IDEMPOTENCY_PERCENT = 3;

  /** The default of {@link NatsSettings#idempotencyWindow()}: 24 hours. */
  static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  /** The shortest {@link NatsSettings#idempotencyWindow()}. */
  static final Duration MIN_IDEMPOTENCY_WINDOW = Duration.ofSeconds(1);

  /** The longest {@link NatsSettings#idempotencyWindow()}. */
  static final Duration MAX_IDEMPOTENCY_WINDOW = Duration.ofDays(30);

  /**
   * The part of the job bucket kept free for the runs of jobs already accepted: creates are
   * refused (507) once the bucket holds more than {@code 100 - HEADROOM_PERCENT} % of its bound,
   * so that claims, results and deletes (whose purge markers are writes as well) still fit.
   */
  static final int HEADROOM_PERCENT = 10;

  /** The smallest {@link NatsSettings#maxBytes()}: 8 MiB, of which the smallest share is 80 KiB. */
  static final long MIN_MAX_BYTES = 8L << 20;

  private NatsLimits() {}

  /** {@code percent} of the settings' {@link NatsSettings#maxBytes()}. */
  static long share(NatsSettings s, int percent) {
    return s.maxBytes() / 100 * percent;
  }

  /** The byte bound of bucket {@code osapi-jobs}: {@link NatsSettings#jobsMaxBytes()} or its share. */
  static long jobsBytes(NatsSettings s) {
    return s.jobsMaxBytes() > 0 ? s.jobsMaxBytes() : share(s, JOBS_PERCENT);
  }

  /** Bytes past which creates are refused: the job bucket's bound less the headroom. */
  static long createBound(long bucketBytes) {
    return bucketBytes / 100 * (100 - HEADROOM_PERCENT);
  }

  /** Max age of {@code JOBS_DEADLINES}: the longest job timeout and the grace. */
  static Duration deadlineMaxAge() {
    return LONGEST_JOB_TIMEOUT.plus(DEADLINE_GRACE);
  }
}
