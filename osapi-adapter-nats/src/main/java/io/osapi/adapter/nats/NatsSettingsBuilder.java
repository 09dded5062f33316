package io.osapi.adapter.nats;

import io.osapi.adapter.nats.NatsSettings.Storage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Builds {@link NatsSettings} ({@link NatsSettings#builder()}, {@link NatsSettings#toBuilder()});
 * every setter returns the builder, {@link #build()} validates.
 */
public final class NatsSettingsBuilder {
  private List<String> servers = List.of("nats://127.0.0.1:4222");
  private String user;
  private String password;
  private String token;
  private Path credsFile;
  private Path trustStore;
  private String trustStorePassword;
  private boolean insecureDevTls;
  private String connectionName = "osapi";
  private Duration reconnectWait = Duration.ofSeconds(2);
  private int maxReconnects = -1;
  private Duration connectTimeout = Duration.ofSeconds(2);
  private Duration requestTimeout = Duration.ofSeconds(5);
  private Duration startupWait = Duration.ofSeconds(10);
  private int streamReplicas = 1;
  private int kvReplicas = 1;
  private Storage storage = Storage.FILE;
  private Duration streamMaxAge = Duration.ofHours(24);
  private long streamMaxMessages = -1;
  private Duration duplicateWindow = Duration.ofMinutes(2);
  private int jobsHistory = 1;
  private Duration jobsTtl = Duration.ofHours(24);
  private long jobsMaxBytes = -1;
  private Duration workersTtl = Duration.ofSeconds(30);
  private Duration defaultAckWait = Duration.ofSeconds(30);
  private int defaultMaxDeliver = 5;
  private int maxAckPending = 1000;
  private Duration sweepInterval = Duration.ofSeconds(1);
  private long maxBytes = DEFAULT_MAX_BYTES;
  private boolean owner = true;
  private Duration auditRetention = NatsLimits.DEFAULT_AUDIT_RETENTION;
  private Duration idempotencyWindow = NatsLimits.DEFAULT_IDEMPOTENCY_WINDOW;

  /** The default of {@link NatsSettings#maxBytes()}: 1 GiB. */
  public static final long DEFAULT_MAX_BYTES = 1L << 30;

  NatsSettingsBuilder() {}

  NatsSettingsBuilder(NatsSettings s) {
    servers = s.servers();
    user = s.user();
    password = s.password();
    token = s.token();
    credsFile = s.credsFile();
    trustStore = s.trustStore();
    trustStorePassword = s.trustStorePassword();
    insecureDevTls = s.insecureDevTls();
    connectionName = s.connectionName();
    reconnectWait = s.reconnectWait();
    maxReconnects = s.maxReconnects();
    connectTimeout = s.connectTimeout();
    requestTimeout = s.requestTimeout();
    startupWait = s.startupWait();
    streamReplicas = s.streamReplicas();
    kvReplicas = s.kvReplicas();
    storage = s.storage();
    streamMaxAge = s.streamMaxAge();
    streamMaxMessages = s.streamMaxMessages();
    duplicateWindow = s.duplicateWindow();
    jobsHistory = s.jobsHistory();
    jobsTtl = s.jobsTtl();
    jobsMaxBytes = s.jobsMaxBytes();
    workersTtl = s.workersTtl();
    defaultAckWait = s.defaultAckWait();
    defaultMaxDeliver = s.defaultMaxDeliver();
    maxAckPending = s.maxAckPending();
    sweepInterval = s.sweepInterval();
    maxBytes = s.maxBytes();
    owner = s.owner();
    auditRetention = s.auditRetention();
    idempotencyWindow = s.idempotencyWindow();
  }

  /** One server URL. */
  public NatsSettingsBuilder server(String url) {
    this.servers = List.of(url);
    return this;
  }

  /** Several server URLs (a cluster). */
  public NatsSettingsBuilder servers(List<String> urls) {
    this.servers = List.copyOf(urls);
    return this;
  }

  /** User/password authentication. */
  public NatsSettingsBuilder userPassword(String user, String password) {
    this.user = user;
    this.password = password;
    return this;
  }

  /** Token authentication. */
  public NatsSettingsBuilder token(String token) {
    this.token = token;
    return this;
  }

  /** Authentication with a {@code .creds} file. */
  public NatsSettingsBuilder credsFile(Path credsFile) {
    this.credsFile = credsFile;
    return this;
  }

  /** TLS with the CA certificates in {@code trustStore}. */
  public NatsSettingsBuilder trustStore(Path trustStore, String password) {
    this.trustStore = trustStore;
    this.trustStorePassword = password;
    return this;
  }

  /** TLS trusting any certificate: for development only. */
  public NatsSettingsBuilder insecureDevTls(boolean insecure) {
    this.insecureDevTls = insecure;
    return this;
  }

  /** The client name shown by the server. */
  public NatsSettingsBuilder connectionName(String name) {
    this.connectionName = name;
    return this;
  }

  /** Pause between reconnect attempts. */
  public NatsSettingsBuilder reconnectWait(Duration d) {
    this.reconnectWait = d;
    return this;
  }

  /** Reconnect attempts before giving up; -1 (the default) for unlimited. */
  public NatsSettingsBuilder maxReconnects(int n) {
    this.maxReconnects = n;
    return this;
  }

  /** Timeout of one connection attempt. */
  public NatsSettingsBuilder connectTimeout(Duration d) {
    this.connectTimeout = d;
    return this;
  }

  /** Timeout of one JetStream call. */
  public NatsSettingsBuilder requestTimeout(Duration d) {
    this.requestTimeout = d;
    return this;
  }

  /** How long {@link NatsBackend#connect} waits for the connection. */
  public NatsSettingsBuilder startupWait(Duration d) {
    this.startupWait = d;
    return this;
  }

  /** Replicas of the stream and of both buckets (3 for a three-node cluster). */
  public NatsSettingsBuilder replicas(int n) {
    this.streamReplicas = n;
    this.kvReplicas = n;
    return this;
  }

  /** Replicas of the stream. */
  public NatsSettingsBuilder streamReplicas(int n) {
    this.streamReplicas = n;
    return this;
  }

  /** Replicas of the buckets. */
  public NatsSettingsBuilder kvReplicas(int n) {
    this.kvReplicas = n;
    return this;
  }

  /** File or memory storage. */
  public NatsSettingsBuilder storage(Storage storage) {
    this.storage = storage;
    return this;
  }

  /** How long notifications are kept. */
  public NatsSettingsBuilder streamMaxAge(Duration d) {
    this.streamMaxAge = d;
    return this;
  }

  /** Notifications kept at most, -1 for no limit. */
  public NatsSettingsBuilder streamMaxMessages(long n) {
    this.streamMaxMessages = n;
    return this;
  }

  /** De-duplication window of publishes. */
  public NatsSettingsBuilder duplicateWindow(Duration d) {
    this.duplicateWindow = d;
    return this;
  }

  /** Values kept per key in {@code osapi-jobs}. */
  public NatsSettingsBuilder jobsHistory(int n) {
    this.jobsHistory = n;
    return this;
  }

  /** Lifetime of job records, events and results; zero for ever. */
  public NatsSettingsBuilder jobsTtl(Duration d) {
    this.jobsTtl = d;
    return this;
  }

  /** Size limit of {@code osapi-jobs}, -1 (the default) for its share of {@link #maxBytes}. */
  public NatsSettingsBuilder jobsMaxBytes(long n) {
    this.jobsMaxBytes = n;
    return this;
  }

  /** Lifetime of a worker heartbeat. */
  public NatsSettingsBuilder workersTtl(Duration d) {
    this.workersTtl = d;
    return this;
  }

  /** Ack wait and max deliveries of the shared consumers until a worker sets its own. */
  public NatsSettingsBuilder defaultDelivery(Duration ackWait, int maxDeliver) {
    this.defaultAckWait = ackWait;
    this.defaultMaxDeliver = maxDeliver;
    return this;
  }

  /** Unacknowledged deliveries a consumer may have out at once. */
  public NatsSettingsBuilder maxAckPending(int n) {
    this.maxAckPending = n;
    return this;
  }

  /** How often an idle worker looks at all of its consumers. */
  public NatsSettingsBuilder sweepInterval(Duration d) {
    this.sweepInterval = d;
    return this;
  }

  /** The storage osapi may take on each server, split among its streams (default 1 GiB). */
  public NatsSettingsBuilder maxBytes(long n) {
    this.maxBytes = n;
    return this;
  }

  /**
   * Whether this process owns the bucket-wide settings (true, the default: a controller) or adopts
   * what it finds (false: a worker).
   */
  public NatsSettingsBuilder owner(boolean owner) {
    this.owner = owner;
    return this;
  }

  /** How long stream {@code AUDIT} keeps a record (default 30 days, 1 h to 3650 days). */
  public NatsSettingsBuilder auditRetention(Duration d) {
    this.auditRetention = d;
    return this;
  }

  /**
   * How long bucket {@code osapi-idempotency} keeps an idempotency key after its last write
   * (default 24 h, 1 s to 30 days).
   */
  public NatsSettingsBuilder idempotencyWindow(Duration d) {
    this.idempotencyWindow = d;
    return this;
  }

  /** The settings. */
  public NatsSettings build() {
    return new NatsSettings(
        servers,
        user,
        password,
        token,
        credsFile,
        trustStore,
        trustStorePassword,
        insecureDevTls,
        connectionName,
        reconnectWait,
        maxReconnects,
        connectTimeout,
        requestTimeout,
        startupWait,
        streamReplicas,
        kvReplicas,
        storage,
        streamMaxAge,
        streamMaxMessages,
        duplicateWindow,
        jobsHistory,
        jobsTtl,
        jobsMaxBytes,
        workersTtl,
        defaultAckWait,
        defaultMaxDeliver,
        maxAckPending,
        sweepInterval,
        maxBytes,
        owner,
        auditRetention,
        idempotencyWindow);
  }
}
