package io.osapi.app.wiring;

import dagger.Module;
import dagger.Provides;
import io.osapi.app.api.ApiFilters;
import io.osapi.app.api.ApiServer;
import io.osapi.app.api.AuditTrail;
import io.osapi.app.api.EdgeAccess;
import io.osapi.app.auth.Authenticator;
import io.osapi.core.audit.AuditLog;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.port.AccessMetrics;
import io.osapi.app.api.JobsApi;
import io.osapi.app.auth.ApiAuthenticator;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.MetricsSettings;
import io.osapi.app.config.ProcessSettings;
import io.osapi.app.http.MetricsHttpServer;
import io.osapi.app.runtime.Backend;
import io.osapi.app.runtime.MetricsEndpoint;
import io.osapi.app.runtime.ReadinessMonitor;
import io.osapi.core.service.JobClient;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Clock;
import javax.inject.Singleton;

/**
 * The HTTP servers: the REST API (with the filters of the metrics module) and the metrics
 * endpoint.
 */
@Module
public interface HttpModule {
  /** The API settings; only processes with an API ask for them. */
  @Provides
  static ApiSettings apiSettings(ProcessSettings settings) {
    return settings.requireApi();
  }

  /**
   * Who may call the API: signed tokens, the static token, or nobody asked (no credential
   * configured). Reads the key file and deny list, and logs which credentials are accepted.
   */
  @Provides
  @Singleton
  static Authenticator authenticator(ApiSettings settings, Clock clock) {
    return ApiAuthenticator.fromSettings(settings.token(), settings.auth(), clock);
  }

  /**
   * The REST API server; requests are refused with 503 while the backend is not connected. Every
   * request passes the edge: its caller ({@link Authenticator}), its permission and its audit
   * record (in the broker's {@link AuditLog}).
   */
  @Provides
  @Singleton
  static ApiServer apiServer(
      ApiSettings settings, JobClient client, Backend backend, Clock clock, ApiFilters filters,
      Authenticator authenticator, AccessMetrics metrics, AuditLog auditLog,
      OperationRegistry operations, io.osapi.core.scheduler.Schedules schedules,
      io.osapi.core.service.IdempotentCreates idempotent) {
    JobsApi api =
        new JobsApi(client, auditLog, settings.maxBodyBytes(), backend::connected, clock,
            STORE_LIMITS, schedules, idempotent);
    AuditTrail trail = new AuditTrail(auditLog, metrics,
        settings.createPatience().plus(java.time.Duration.ofSeconds(1)), settings.auditReads());
    return new ApiServer(settings, api, filters.filters(),
        EdgeAccess.of(authenticator, metrics, trail, client, operations, clock, STORE_LIMITS));
  }

  /** The options (and the NATS server's setting) behind each bound of the job and audit stores. */
  public static final io.osapi.app.api.StoreLimitHints STORE_LIMITS =
      new io.osapi.app.api.StoreLimitHints(java.util.Map.of(
          io.osapi.core.domain.StoreFullException.Limit.JOBS, "--embedded-max-jobs",
          io.osapi.core.domain.StoreFullException.Limit.BYTES, "--embedded-max-bytes",
          io.osapi.core.domain.StoreFullException.Limit.BUCKET, "--nats-max-bytes",
          io.osapi.core.domain.StoreFullException.Limit.SERVER, "max_file_store"), "--job-ttl");

  /** {@code /metrics} and the health endpoints. */
  @Provides
  @Singleton
  static MetricsEndpoint metricsEndpoint(
      MetricsSettings settings, PrometheusRegistry registry, ReadinessMonitor readiness) {
    return new MetricsEndpoint(
        settings.address(), MetricsHttpServer.builder(registry), readiness);
  }
}
