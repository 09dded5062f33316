package io.osapi.adapter.nats;

import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.JetStreamOptions;
import io.nats.client.JetStreamSubscription;
import io.nats.client.KeyValue;
import io.nats.client.KeyValueOptions;
import io.nats.client.Message;
import io.nats.client.PushSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.nats.client.api.DiscardPolicy;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.ReplayPolicy;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.ServerInfo;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import io.nats.client.impl.Headers;
import io.nats.client.support.NatsJetStreamConstants;
import io.osapi.core.domain.OperationKind;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One provisioned connection: the JetStream contexts and bucket handles the ports use, and the
 * create-or-update of the streams ({@code JOBS}, {@code JOBS_ADVISORIES}, {@code
 * JOBS_DEADLINES}, and {@code AUDIT} by a controller), the buckets and the
 * shared consumers, refusing a job store written before v2. Also the headers-only scan that
 * listings use.
 */
final class NatsSession {
  static final int STREAM_NOT_FOUND = 10059;
  static final int CONSUMER_NOT_FOUND = NatsJetStreamConstants.JS_CONSUMER_NOT_FOUND_ERR;
  static final int NO_MESSAGE_FOUND = NatsJetStreamConstants.JS_NO_MESSAGE_FOUND_ERR;
  static final int WRONG_LAST_SEQUENCE = NatsJetStreamConstants.JS_WRONG_LAST_SEQUENCE;

  /** Oldest server with everything used here (consumer create API, direct get, purge filters). */
  static final String MIN_SERVER_VERSION = "2.9.0";

  private static final System.Logger LOG = System.getLogger(NatsSession.class.getName());

  final Connection conn;
  final NatsSettings settings;
  final JetStream js;
  final JetStreamManagement jsm;
  final KeyValue jobsKv;
  /**
   * {@link #jobsKv} for job reads, with a per-request timeout of at most {@link #READ_ATTEMPT}: a
   * read sent as the connection's node or the bucket's leader dies gets no answer, and {@link
   * NatsJobStore} sends it again (on the reconnected connection, to the new leader) rather than
   * wait out the whole request timeout and fail.
   */
  final KeyValue jobsKvReads;
  /** Longest wait for one attempt of a job read: {@link #READ_ATTEMPT} or the request timeout. */
  final Duration readAttempt;
  final KeyValue workersKv;
  final KeyValue workerStateKv;

  /** Longest wait for one attempt of a job read ({@link #jobsKvReads}). */
  static final Duration READ_ATTEMPT = Duration.ofSeconds(1);

  private NatsSession(Connection conn, NatsSettings settings) throws IOException {
    this.conn = conn;
    this.settings = settings;
    JetStreamOptions jso = JetStreamOptions.builder().requestTimeout(settings.requestTimeout()).build();
    this.js = conn.jetStream(jso);
    this.jsm = conn.jetStreamManagement(jso);
    KeyValueOptions kvo = KeyValueOptions.builder().jetStreamOptions(jso).build();
    this.jobsKv = conn.keyValue(NatsLayout.JOBS_BUCKET, kvo);
    Duration attempt = settings.requestTimeout().compareTo(READ_ATTEMPT) < 0
        ? settings.requestTimeout() : READ_ATTEMPT;
    this.jobsKvReads = conn.keyValue(NatsLayout.JOBS_BUCKET, KeyValueOptions.builder()
        .jetStreamOptions(JetStreamOptions.builder().requestTimeout(attempt).build()).build());
    this.readAttempt = attempt;
    this.workersKv = conn.keyValue(NatsLayout.WORKERS_BUCKET, kvo);
    this.workerStateKv = conn.keyValue(NatsLayout.WORKER_STATE_BUCKET, kvo);
  }

  /** Opens the handles on a provisioned server. */
  static NatsSession open(Connection conn, NatsSettings settings) throws IOException {
    return new NatsSession(conn, settings);
  }

  /**
   * Checks the server, creates or updates stream {@code JOBS}, both buckets and the shared
   * consumers. Idempotent.
   *
   * @throws NatsConfigException for a server or existing layout that cannot work with the settings,
   *     and for a job store written by an osapi before the v2 store
   */
  static JobBucket provision(Connection conn, NatsSettings settings)
      throws IOException, JetStreamApiException, InterruptedException {
    checkServer(conn.getServerInfo(), settings);
    JetStreamOptions jso = JetStreamOptions.builder().requestTimeout(settings.requestTimeout()).build();
    JetStreamManagement jsm = conn.jetStreamManagement(jso);
    StorageType storage =
        settings.storage() == NatsSettings.Storage.MEMORY ? StorageType.Memory : StorageType.File;
    boolean owner = settings.owner();
    // A controller looks before anything is created or changed; a worker, only once the job
    // bucket exists (below): it provisions again and again while it waits for a controller, and
    // nats-server 2.9.10 can crash on a message get of a stream that is being created.
    if (owner && NatsStreams.holdsV1Store(conn, jsm, settings)) {
      throw new NatsConfigException(
          "bucket " + NatsLayout.JOBS_BUCKET + " holds a job store written by an earlier osapi (v1"
              + " keys status.*/responses.*/claims.*); osapi cannot read it: remove it with `nats"
              + " kv del " + NatsLayout.JOBS_BUCKET + "` or delete stream "
              + NatsLayout.JOBS_KV_STREAM + " (all jobs are lost), or point osapi at another NATS");
    }

    // limits of every stream and bucket, and why: NatsLimits and docs/operations.md
    NatsStreams.ensure(
        jsm,
        StreamConfiguration.builder()
            .name(NatsLayout.STREAM)
            .description("osapi job notifications (body = the job)")
            .subjects(NatsLayout.STREAM_SUBJECTS)
            .retentionPolicy(RetentionPolicy.Limits)
            .discardPolicy(DiscardPolicy.Old)
            .storageType(storage)
            .replicas(settings.streamReplicas())
            .maxAge(settings.streamMaxAge())
            .maxMessages(settings.streamMaxMessages())
            .maxBytes(NatsLimits.share(settings, NatsLimits.NOTIFICATIONS_PERCENT))
            .duplicateWindow(settings.duplicateWindow())
            .build(), owner);
    NatsStreams.ensure(
        jsm,
        StreamConfiguration.builder()
            .name(NatsLayout.ADVISORY_STREAM)
            .description("osapi: notifications of stream " + NatsLayout.STREAM
                + " whose deliveries ran out (max-deliveries advisories)")
            .subjects(NatsLayout.ADVISORY_SUBJECTS)
            .retentionPolicy(RetentionPolicy.Limits)
            .discardPolicy(DiscardPolicy.Old)
            .storageType(storage)
            .replicas(settings.streamReplicas())
            .maxAge(settings.streamMaxAge())
            .maxBytes(NatsLimits.share(settings, NatsLimits.ADVISORIES_PERCENT))
            .duplicateWindow(advisoryDuplicateWindow(settings.streamMaxAge()))
            .build(), owner);
    // Work queue: a deadline leaves the stream once a controller handled it. It waits however
    // long its job's timeout is (24 h at most), and a day more for a controller to handle it;
    // when full, a new deadline is refused (its create answers 507), never an old one dropped.
    NatsStreams.ensure(
        jsm,
        StreamConfiguration.builder()
            .name(NatsLayout.DEADLINE_STREAM)
            .description("osapi: deadlines of broadcast jobs, handled by the controllers")
            .subjects(NatsLayout.DEADLINE_SUBJECTS)
            .retentionPolicy(RetentionPolicy.WorkQueue)
            .discardPolicy(DiscardPolicy.New)
            .storageType(storage)
            .replicas(settings.streamReplicas())
            .maxAge(NatsLimits.deadlineMaxAge())
            .maxBytes(NatsLimits.share(settings, NatsLimits.DEADLINES_PERCENT))
            .duplicateWindow(settings.duplicateWindow())
            .build(), owner);

    if (owner) { // the controllers' alone: workers neither read nor write it
      NatsStreams.ensure(jsm, NatsAuditLog.stream(settings, storage), true);
      NatsStreams.ensure(jsm, NatsScheduleStore.bucket(settings, storage), true);
      NatsStreams.ensure(jsm, NatsIdempotencyKeys.bucket(settings, storage), true);
    }
    KeyValueConfiguration jobs =
        KeyValueConfiguration.builder()
            .name(NatsLayout.JOBS_BUCKET)
            .description("osapi job records and runs")
            .maxHistoryPerKey(settings.jobsHistory())
            .ttl(settings.jobsTtl())
            .maxBucketSize(NatsLimits.jobsBytes(settings))
            .storageType(storage)
            .replicas(settings.kvReplicas())
            .build();
    // Direct gets may be answered by a lagging replica; a worker that lost a compare-and-set must
    // read the run as it is now, so with replicas the reads of this bucket go to the stream
    // leader. With one replica there is nothing to lag, and a direct get costs the server a
    // fraction of a JetStream API request (no JSON request and answer, no base64).
    StreamConfiguration jobsHave = NatsStreams.ensure(
        jsm,
        StreamConfiguration.builder(jobs.getBackingConfig())
            .allowDirect(directGets(settings))
            .build(), owner);
    if (!owner && NatsStreams.holdsV1Store(conn, jsm, settings)) {
      throw new NatsConfigException("bucket " + NatsLayout.JOBS_BUCKET + " holds a job store"
          + " written by an earlier osapi (v1 keys status.*/responses.*/claims.*); the"
          + " controllers refuse it too (see their log)");
    }
    KeyValueConfiguration workers =
        KeyValueConfiguration.builder()
            .name(NatsLayout.WORKERS_BUCKET)
            .description("osapi worker heartbeats")
            .maxHistoryPerKey(1)
            .ttl(settings.workersTtl())
            .maxBucketSize(NatsLimits.share(settings, NatsLimits.WORKERS_PERCENT))
            .storageType(storage)
            .replicas(settings.kvReplicas())
            .build();
    NatsStreams.ensure(jsm, workers.getBackingConfig(), owner);
    // no max age: a drain request outlives the worker's restart; one key per worker
    NatsStreams.ensure(jsm, StreamConfiguration.builder(KeyValueConfiguration.builder()
        .name(NatsLayout.WORKER_STATE_BUCKET)
        .description("osapi worker drain requests")
        .maxHistoryPerKey(1)
        .maxBucketSize(NatsLimits.share(settings, NatsLimits.WORKER_STATE_PERCENT))
        .storageType(storage)
        .replicas(settings.kvReplicas())
        .build()
        .getBackingConfig())
        .maxMessages(NatsLimits.MAX_DRAIN_REQUESTS)
        .build(), owner);

    for (OperationKind kind : OperationKind.values()) {
      ensureConsumer(
          jsm,
          NatsLayout.sharedConsumer(kind),
          NatsLayout.sharedSubject(kind),
          NatsLayout.sharedDescription(NatsLayout.sharedSubject(kind)),
          settings.defaultAckWait(),
          settings.defaultMaxDeliver(),
          settings.maxAckPending(),
          false);
    }
    return JobBucket.of(jobsHave);
  }

  /**
   * The job bucket's settings in effect on the server (those of the stream, which may differ from
   * this process's when another process owns them).
   *
   * @param maxAge how long a value stays after its last write, zero for ever
   * @param maxBytes its byte bound, -1 for none
   * @param directGets whether its stream answers direct gets (one replica): then {@link
   *     NatsJobReads} sends them itself rather than read through {@link #jobsKvReads}
   */
  record JobBucket(Duration maxAge, long maxBytes, boolean directGets) {
    static JobBucket of(StreamConfiguration c) {
      return new JobBucket(c.getMaxAge() == null ? Duration.ZERO : c.getMaxAge(), c.getMaxBytes(),
          c.getAllowDirect());
    }

    /** The bucket as {@code settings} ask for it: what a process has before it is seen. */
    static JobBucket asked(NatsSettings settings) {
      return new JobBucket(settings.jobsTtl(), NatsLimits.jobsBytes(settings),
          NatsSession.directGets(settings));
    }
  }

  /** Whether the job bucket asked for by {@code settings} answers direct gets (one replica). */
  static boolean directGets(NatsSettings settings) {
    return settings.kvReplicas() == 1;
  }

  /** The server's default for a stream without one, so that provisioning finds nothing to do. */
  private static Duration advisoryDuplicateWindow(Duration maxAge) {
    Duration two = Duration.ofMinutes(2);
    return maxAge == null || maxAge.isZero() || maxAge.compareTo(two) > 0 ? two : maxAge;
  }

  private static void checkServer(ServerInfo info, NatsSettings settings) {
    if (info == null) {
      throw new IllegalStateException("no server info yet");
    }
    String where = info.getServerName() + " (" + info.getHost() + ":" + info.getPort() + ")";
    if (info.isOlderThanVersion(MIN_SERVER_VERSION)) {
      throw new NatsConfigException(
          "nats-server "
              + info.getVersion()
              + " at "
              + where
              + " is too old: osapi needs "
              + MIN_SERVER_VERSION
              + " or newer");
    }
    if (!info.isJetStreamAvailable()) {
      throw new NatsConfigException(
          "nats-server at " + where + " has JetStream disabled: start it with -js (or jetstream {})");
    }
    int replicas = Math.max(settings.streamReplicas(), settings.kvReplicas());
    if (replicas > 1 && (info.getCluster() == null || info.getCluster().isEmpty())) {
      throw new NatsConfigException(
          "replicas "
              + replicas
              + " need a JetStream cluster, but nats-server at "
              + where
              + " is not clustered: set replicas to 1 or connect to a cluster");
    }
  }

  /**
   * Makes sure durable {@code name} exists with filter {@code filter}. A new durable starts at the
   * next message (deliver policy new), so it never replays history; an existing one keeps its
   * position, and gets the description, ack wait, max deliver and max ack pending asked for when
   * {@code update}.
   */
  static void ensureConsumer(
      JetStreamManagement jsm,
      String name,
      String filter,
      String description,
      Duration ackWait,
      int maxDeliver,
      int maxAckPending,
      boolean update)
      throws IOException, JetStreamApiException {
    ConsumerInfo ci = null;
    try {
      ci = jsm.getConsumerInfo(NatsLayout.STREAM, name);
    } catch (JetStreamApiException e) {
      if (e.getApiErrorCode() != CONSUMER_NOT_FOUND) {
        throw e;
      }
    }
    if (ci == null) {
      jsm.addOrUpdateConsumer(
          NatsLayout.STREAM,
          ConsumerConfiguration.builder()
              .durable(name)
              .description(description)
              .filterSubject(filter)
              .ackPolicy(AckPolicy.Explicit)
              .deliverPolicy(DeliverPolicy.New)
              .replayPolicy(ReplayPolicy.Instant)
              .ackWait(ackWait)
              .maxDeliver(maxDeliver)
              .maxAckPending(maxAckPending)
              .build());
      LOG.log(System.Logger.Level.DEBUG, "created consumer {0} on {1}", name, filter);
      return;
    }
    ConsumerConfiguration have = ci.getConsumerConfiguration();
    if (!filter.equals(have.getFilterSubject())) {
      throw new NatsConfigException(
          "consumer "
              + name
              + " exists with filter "
              + have.getFilterSubject()
              + " instead of "
              + filter
              + ": two worker ids or labels sanitise to the same name; rename one, or delete the"
              + " consumer");
    }
    if (update
        && (!description.equals(have.getDescription())
            || !ackWait.equals(have.getAckWait())
            || have.getMaxDeliver() != maxDeliver
            || have.getMaxAckPending() != maxAckPending)) {
      jsm.addOrUpdateConsumer(
          NatsLayout.STREAM,
          ConsumerConfiguration.builder(have)
              .description(description)
              .ackWait(ackWait)
              .maxDeliver(maxDeliver)
              .maxAckPending(maxAckPending)
              .build());
      LOG.log(
          System.Logger.Level.DEBUG,
          "updated consumer {0}: ack wait {1}, max deliver {2}",
          name,
          ackWait,
          maxDeliver);
    }
  }

  boolean connected() {
    return conn.getStatus() == Connection.Status.CONNECTED;
  }

  /**
   * Reads the last message of every subject matching {@code filter} in {@code stream} through a
   * short-lived ordered consumer, skipping KV delete and purge markers.
   *
   * @param headersOnly deliver headers only (key listings)
   */
  /** How long a scan waits for its next message before it asks the server what is left. */
  private static final java.time.Duration SCAN_POLL = java.time.Duration.ofMillis(200);

  void scan(String stream, String filter, boolean headersOnly, Consumer<Message> handler)
      throws IOException, JetStreamApiException, InterruptedException {
    scan(stream, filter, headersOnly, DeliverPolicy.LastPerSubject, handler);
  }

  /** {@link #scan} from {@code policy} ({@code All}: a key rewritten meanwhile comes twice). */
  void scan(String stream, String filter, boolean headersOnly, DeliverPolicy policy,
      Consumer<Message> handler) throws IOException, JetStreamApiException, InterruptedException {
    ConsumerConfiguration cc =
        ConsumerConfiguration.builder()
            .ackPolicy(AckPolicy.None)
            .deliverPolicy(policy)
            .headersOnly(headersOnly)
            .filterSubject(filter)
            .build();
    PushSubscribeOptions pso =
        PushSubscribeOptions.builder().stream(stream).ordered(true).configuration(cc).build();
    JetStreamSubscription sub = js.subscribe(null, pso);
    try {
      long pending = sub.getConsumerInfo().getCalculatedPending();
      long stallNanos = settings.requestTimeout().toNanos() * 2;
      long lastProgress = System.nanoTime();
      while (pending > 0) {
        Message m = sub.nextMessage(SCAN_POLL);
        if (m == null) {
          // keys written while the scan runs replace messages it counted (last per subject), so
          // the count carried by the messages can stay above zero: ask the server
          pending = sub.getConsumerInfo().getCalculatedPending();
          if (pending > 0 && System.nanoTime() - lastProgress > stallNanos) {
            throw new IOException("listing " + filter + " stalled with " + pending + " left");
          }
          continue;
        }
        lastProgress = System.nanoTime();
        pending = m.metaData().pendingCount();
        if (!isMarker(m)) {
          handler.accept(m);
        }
      }
    } finally {
      try {
        sub.unsubscribe();
      } catch (IllegalStateException ignored) {
        // connection closed meanwhile
      }
    }
  }

  private static boolean isMarker(Message m) {
    Headers h = m.getHeaders();
    if (h == null) {
      return false;
    }
    String op = h.getFirst(NatsHeaders.KV_OPERATION_HEADER);
    return op != null && !op.equals("PUT");
  }
}
