package io.osapi.app.api;

import io.osapi.app.auth.Authenticator;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.HostPort;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.audit.AuditPage;
import io.osapi.core.audit.AuditQuery;
import io.osapi.core.audit.AuditRecord;
import io.osapi.core.memory.InMemoryBroker;
import io.osapi.core.operations.BuiltinOperations;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.service.JobClient;
import io.osapi.core.testing.RecordingAccessMetrics;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A real API server on a loopback port over the embedded broker, with the edge built from a given
 * {@link Authenticator}, an audit log that can be made to fail, and recorded access metrics.
 */
final class EdgeHarness implements AutoCloseable {
  final InMemoryBroker broker = InMemoryBroker.create();
  final JobClient client;
  final FailingAuditLog audit;
  final RecordingAccessMetrics metrics = new RecordingAccessMetrics();
  final ApiServer server;
  final io.osapi.core.memory.InMemoryIdempotencyKeys idempotencyKeys =
      new io.osapi.core.memory.InMemoryIdempotencyKeys(Duration.ofHours(24), Clock.systemUTC());
  final io.osapi.core.service.IdempotentCreates idempotent;
  private final HttpClient http = HttpClient.newHttpClient();

  EdgeHarness(Authenticator authenticator, AuditLog log, boolean auditReads,
      OperationRegistry operations) throws IOException {
    this(authenticator, log, auditReads, operations, List.of(),
        io.osapi.core.port.JobTracing.noop());
  }

  /**
   * As above, with {@code filters} ahead of the edge's guard (as the wiring's {@code ApiFilters})
   * and the job client's {@code tracing}.
   */
  EdgeHarness(Authenticator authenticator, AuditLog log, boolean auditReads,
      OperationRegistry operations, List<com.sun.net.httpserver.Filter> filters,
      io.osapi.core.port.JobTracing tracing) throws IOException {
    // signs privileged jobs as a controller with a signing key does
    io.osapi.core.service.JobSigner signer =
        io.osapi.core.service.JobSigner.of(io.osapi.core.service.WorkerKey.generate());
    client = JobClient.builder(broker, operations).signer(signer).tracing(tracing).build();
    audit = new FailingAuditLog(log);
    ApiSettings settings = ApiSettings.on(new HostPort("127.0.0.1", 0))
        .withCreatePatience(Duration.ofMillis(500)).withAuditReads(auditReads);
    idempotent = io.osapi.core.service.IdempotentCreates.builder(client, idempotencyKeys)
        .createPatience(Duration.ofMillis(500)).build();
    JobsApi api = new JobsApi(client, audit, settings.maxBodyBytes(), () -> true,
        Clock.systemUTC(), io.osapi.app.wiring.HttpModule.STORE_LIMITS,
        new io.osapi.core.scheduler.Schedules(
            new io.osapi.core.schedule.InMemoryScheduleStore(),
            new io.osapi.app.schedule.CronUtilsParser(), client, Clock.systemUTC()),
        idempotent);
    AuditTrail trail = new AuditTrail(audit, metrics, Duration.ofMillis(600), auditReads);
    server = new ApiServer(settings, api, filters,
        EdgeAccess.of(authenticator, metrics, trail, client, operations, Clock.systemUTC(),
            io.osapi.app.wiring.HttpModule.STORE_LIMITS));
    server.start();
  }

  EdgeHarness(Authenticator authenticator, AuditLog log) throws IOException {
    this(authenticator, log, false, BuiltinOperations.registry());
  }

  HttpResponse<String> send(String method, String path, String body, String bearer) {
    return sendWith(method, path, body, bearer, null, null);
  }

  HttpResponse<String> sendWith(String method, String path, String body, String bearer,
      String header, String value) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
        + server.boundAddress().getPort() + path)).timeout(Duration.ofSeconds(20));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    if (header != null) {
      b.header(header, value);
    }
    if (body != null || method.equals("POST")) {
      b.header("Content-Type", "application/json");
    }
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
        : HttpRequest.BodyPublishers.ofString(body));
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every record of the log, newest first. */
  List<AuditRecord> records() {
    java.util.ArrayList<AuditRecord> out = new java.util.ArrayList<>();
    String cursor = null;
    do {
      AuditPage p = audit.list(new AuditQuery(null, null, null, null, 1000, cursor));
      out.addAll(p.items());
      cursor = p.next();
    } while (cursor != null);
    return out;
  }

  @Override
  public void close() {
    server.stop(Duration.ZERO);
    client.close();
    broker.close();
  }

  /** An audit log whose appends fail while {@link #failing} is set. */
  static final class FailingAuditLog implements AuditLog {
    final AtomicBoolean failing = new AtomicBoolean();
    final AtomicBoolean failFinalOnly = new AtomicBoolean();
    /** When set, appends fail with this (a definite refusal) instead of an outage. */
    volatile RuntimeException failure;
    /** When set, the appends of the records it matches fail (an outage), the others pass. */
    volatile java.util.function.Predicate<AuditRecord> failWhen;
    private final AuditLog log;

    FailingAuditLog(AuditLog log) {
      this.log = log;
    }

    @Override
    public CompletableFuture<Void> append(AuditRecord record) {
      java.util.function.Predicate<AuditRecord> when = failWhen;
      if (when != null && when.test(record)) {
        return CompletableFuture.failedFuture(
            new io.osapi.core.domain.BackendUnavailableException("audit store down (test)", null));
      }
      if (failing.get() && (!failFinalOnly.get() || !record.pending())) {
        if (failure != null) {
          return CompletableFuture.failedFuture(failure);
        }
        return CompletableFuture.failedFuture(
            new io.osapi.core.domain.BackendUnavailableException("audit store down (test)", null));
      }
      return log.append(record);
    }

    @Override
    public AuditPage list(AuditQuery query) {
      return log.list(query);
    }

    @Override
    public long export(Instant since, Consumer<AuditRecord> sink) {
      return log.export(since, sink);
    }
  }
}
