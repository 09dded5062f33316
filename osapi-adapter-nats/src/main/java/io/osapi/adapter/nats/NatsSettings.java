package io.osapi.adapter.nats;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How to reach NATS and how to lay out the stream and buckets. Build one with {@link #builder()}.
 *
 * <p>{@link #toString()} never shows a password, token or trust store password, and hides any
 * {@code user:password@} part of a server URL.
 *
 * @param servers server URLs ({@code nats://host:4222}, {@code tls://host:4222}), one or more
 * @param user user name for user/password auth, or null
 * @param password password for user/password auth, or null
 * @param token token auth, or null
 * @param credsFile a NATS {@code .creds} file (JWT + nkey), or null
 * @param trustStore a trust store (PKCS12 or JKS) with the CA of the servers' TLS certificates, or
 *     null for the JVM's default trust
 * @param trustStorePassword the trust store's password, or null
 * @param insecureDevTls trust any server certificate: for development only, never the default
 * @param connectionName the client name the server shows
 * @param reconnectWait pause between reconnect attempts
 * @param maxReconnects reconnect attempts before giving up, -1 for unlimited (the default)
 * @param connectTimeout timeout of one connection attempt
 * @param requestTimeout timeout of one JetStream API call or publish acknowledgement
 * @param startupWait how long {@link NatsBackend#connect} waits for the connection before it
 *     returns a backend that is not ready yet (it keeps connecting in the background)
 * @param streamReplicas replicas of stream {@code JOBS} (3 for a three-node cluster)
 * @param kvReplicas replicas of the KV buckets
 * @param storage file (default) or memory storage for the stream and buckets
 * @param streamMaxAge how long notifications are kept in stream {@code JOBS}
 * @param streamMaxMessages notifications kept at most, -1 for no limit
 * @param duplicateWindow how long a job id is remembered for de-duplicating publishes
 * @param jobsHistory values kept per key in bucket {@code osapi-jobs}
 * @param jobsTtl how long job records and runs live, zero for ever
 * @param jobsMaxBytes size limit of bucket {@code osapi-jobs}, -1 for its share of {@code maxBytes}
 *     ({@link NatsLimits#JOBS_PERCENT} %); creates are refused short of it, writes fail at it
 * @param workersTtl how long a worker heartbeat lives in bucket {@code osapi-workers}
 * @param defaultAckWait ack wait of the shared {@code _any} consumers until a worker sets its own
 * @param defaultMaxDeliver max deliveries of the shared consumers until a worker sets its own
 * @param maxAckPending unacknowledged deliveries a consumer may have out at once
 * @param sweepInterval how often an idle worker looks at all of its consumers (redeliveries are
 *     found this way; new notifications wake it at once)
 * @param maxBytes the storage osapi may take on each server: every stream and bucket gets a share
 *     of it as its byte limit ({@link NatsLimits}); at least 8 MiB
 * @param owner whether this process owns the bucket-wide settings (the controllers): it creates
 *     the streams and buckets and updates them to its settings; a process that is not (a worker)
 *     waits until they exist and adopts them, with a warning where its settings differ
 * @param auditRetention how long stream {@code AUDIT} keeps an audit record (its max age), 1 h to
 *     3650 days; set by the controllers, workers never touch that stream
 * @param idempotencyWindow how long bucket {@code osapi-idempotency} keeps an idempotency key
 *     after its last write (its max age), {@link NatsLimits#MIN_IDEMPOTENCY_WINDOW} to {@link
 *     NatsLimits#MAX_IDEMPOTENCY_WINDOW}; set by the controllers, workers never touch that bucket
 */
public record NatsSettings(
    List<String> servers,
    String user,
    String password,
    String token,
    Path credsFile,
    Path trustStore,
    String trustStorePassword,
    boolean insecureDevTls,
    String connectionName,
    Duration reconnectWait,
    int maxReconnects,
    Duration connectTimeout,
    Duration requestTimeout,
    Duration startupWait,
    int streamReplicas,
    int kvReplicas,
    Storage storage,
    Duration streamMaxAge,
    long streamMaxMessages,
    Duration duplicateWindow,
    int jobsHistory,
    Duration jobsTtl,
    long jobsMaxBytes,
    Duration workersTtl,
    Duration defaultAckWait,
    int defaultMaxDeliver,
    int maxAckPending,
    Duration sweepInterval,
    long maxBytes,
    boolean owner,
    Duration auditRetention,
    Duration idempotencyWindow) {

  private static final Pattern URL_USERINFO = Pattern.compile("(://)[^/@]*@");

  /** Where the stream and the buckets keep their data. */
  public enum Storage {
    /** On disk (the default): survives a server restart. */
    FILE,
    /** In memory: lost when the server stops. */
    MEMORY
  }

  /** Validates every field with a message naming it. */
  public NatsSettings {
    Objects.requireNonNull(servers, "servers");
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("nats servers: at least one server URL is required");
    }
    for (String s : servers) {
      if (s == null || s.isBlank()) {
        throw new IllegalArgumentException("nats servers: a server URL is empty");
      }
    }
    if ((user == null) != (password == null)) {
      throw new IllegalArgumentException("nats user and password must be given together");
    }
    int authKinds = (user != null ? 1 : 0) + (token != null ? 1 : 0) + (credsFile != null ? 1 : 0);
    if (authKinds > 1) {
      throw new IllegalArgumentException(
          "nats auth: give only one of user/password, token or creds file");
    }
    if (trustStore != null && insecureDevTls) {
      throw new IllegalArgumentException(
          "nats tls: a trust store and insecure-dev-tls exclude each other");
    }
    Objects.requireNonNull(connectionName, "connectionName");
    positive("reconnect-wait", reconnectWait);
    if (maxReconnects < -1) {
      throw new IllegalArgumentException("nats max-reconnects must be -1 (unlimited) or more");
    }
    positive("connect-timeout", connectTimeout);
    positive("request-timeout", requestTimeout);
    Objects.requireNonNull(startupWait, "startupWait");
    if (startupWait.isNegative()) {
      throw new IllegalArgumentException("nats startup-wait must not be negative");
    }
    replicas("stream-replicas", streamReplicas);
    replicas("kv-replicas", kvReplicas);
    Objects.requireNonNull(storage, "storage");
    positive("stream-max-age", streamMaxAge);
    if (streamMaxMessages == 0 || streamMaxMessages < -1) {
      throw new IllegalArgumentException("nats stream-max-messages must be -1 (no limit) or positive");
    }
    positive("duplicate-window", duplicateWindow);
    if (duplicateWindow.compareTo(streamMaxAge) > 0) {
      throw new IllegalArgumentException("nats duplicate-window must not exceed stream-max-age");
    }
    if (jobsHistory < 1 || jobsHistory > 64) {
      throw new IllegalArgumentException("nats jobs-history must be between 1 and 64");
    }
    Objects.requireNonNull(jobsTtl, "jobsTtl");
    if (jobsTtl.isNegative()) {
      throw new IllegalArgumentException("nats jobs-ttl must not be negative");
    }
    if (jobsMaxBytes == 0 || jobsMaxBytes < -1) {
      throw new IllegalArgumentException(
          "nats jobs-max-bytes must be -1 (its share of max-bytes) or positive");
    }
    positive("workers-ttl", workersTtl);
    positive("default-ack-wait", defaultAckWait);
    if (defaultMaxDeliver < 1) {
      throw new IllegalArgumentException("nats default-max-deliver must be at least 1");
    }
    if (maxAckPending < 1) {
      throw new IllegalArgumentException("nats max-ack-pending must be at least 1");
    }
    positive("sweep-interval", sweepInterval);
    if (maxBytes < NatsLimits.MIN_MAX_BYTES) {
      throw new IllegalArgumentException("nats max-bytes must be at least 8 MiB ("
          + NatsLimits.MIN_MAX_BYTES + " bytes), got " + maxBytes);
    }
    Objects.requireNonNull(auditRetention, "auditRetention");
    if (auditRetention.compareTo(NatsLimits.MIN_AUDIT_RETENTION) < 0
        || auditRetention.compareTo(NatsLimits.MAX_AUDIT_RETENTION) > 0) {
      throw new IllegalArgumentException("nats audit-retention must be between 1h and 3650d, got "
          + auditRetention);
    }
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
    if (idempotencyWindow.compareTo(NatsLimits.MIN_IDEMPOTENCY_WINDOW) < 0
        || idempotencyWindow.compareTo(NatsLimits.MAX_IDEMPOTENCY_WINDOW) > 0) {
      throw new IllegalArgumentException("nats idempotency-window must be between 1s and 30d, got "
          + idempotencyWindow);
    }
  }

  /** A builder with the defaults: {@code nats://127.0.0.1:4222}, no auth, file storage, R1. */
  public static NatsSettingsBuilder builder() {
    return new NatsSettingsBuilder();
  }

  /** A builder starting from these settings. */
  public NatsSettingsBuilder toBuilder() {
    return new NatsSettingsBuilder(this);
  }

  /** True when TLS is configured (a trust store, insecure mode, or a {@code tls://} URL). */
  public boolean tls() {
    return trustStore != null
        || insecureDevTls
        || servers.stream().anyMatch(s -> s.startsWith("tls://"));
  }

  /** The server URLs with any {@code user:password@} part replaced by {@code ***@}. */
  public List<String> redactedServers() {
    List<String> out = new ArrayList<>();
    for (String s : servers) {
      out.add(redactUrl(s));
    }
    return out;
  }

  static String redactUrl(String url) {
    return URL_USERINFO.matcher(url).replaceAll("$1***@");
  }

  /** Which kind of authentication is configured, never the secret itself. */
  public String authKind() {
    if (user != null) {
      return "user/password (user " + user + ")";
    }
    if (token != null) {
      return "token";
    }
    if (credsFile != null) {
      return "creds file " + credsFile;
    }
    return "none";
  }

  /** Every field but the secrets (the servers redacted, the kind of auth only). */
  @Override
  public String toString() {
    String tlsMode = insecureDevTls ? "insecure-dev"
        : trustStore != null ? "trust store " + trustStore : tls() ? "default trust" : "off";
    return "NatsSettings[servers=" + redactedServers() + ", auth=" + authKind() + ", tls=" + tlsMode
        + ", connectionName=" + connectionName + ", reconnectWait=" + reconnectWait
        + ", maxReconnects=" + maxReconnects + ", connectTimeout=" + connectTimeout
        + ", requestTimeout=" + requestTimeout + ", startupWait=" + startupWait
        + ", streamReplicas=" + streamReplicas + ", kvReplicas=" + kvReplicas
        + ", storage=" + storage + ", streamMaxAge=" + streamMaxAge
        + ", streamMaxMessages=" + streamMaxMessages + ", duplicateWindow=" + duplicateWindow
        + ", jobsHistory=" + jobsHistory + ", jobsTtl=" + jobsTtl
        + ", jobsMaxBytes=" + jobsMaxBytes + ", workersTtl=" + workersTtl
        + ", defaultAckWait=" + defaultAckWait + ", defaultMaxDeliver=" + defaultMaxDeliver
        + ", maxAckPending=" + maxAckPending + ", sweepInterval=" + sweepInterval
        + ", maxBytes=" + maxBytes + ", owner=" + owner + ", auditRetention=" + auditRetention
        + ", idempotencyWindow=" + idempotencyWindow + "]";
  }

  private static void positive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("nats " + name + " must be positive");
    }
  }

  private static void replicas(String name, int n) {
    if (n < 1 || n > 5) {
      throw new IllegalArgumentException("nats " + name + " must be between 1 and 5");
    }
  }
}
