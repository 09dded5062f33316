package io.osapi.adapter.otel;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.metrics.MeterProvider;
import io.opentelemetry.api.trace.TracerProvider;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.exporter.prometheus.PrometheusMetricReader;
import io.opentelemetry.exporter.prometheus.TranslationStrategy;
import io.opentelemetry.instrumentation.runtimemetrics.java17.RuntimeMetrics;
import io.opentelemetry.instrumentation.runtimemetrics.java17.RuntimeMetricsBuilder;
import io.opentelemetry.sdk.metrics.Aggregation;
import io.opentelemetry.sdk.metrics.InstrumentSelector;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.SdkMeterProviderBuilder;
import io.opentelemetry.sdk.metrics.View;
import io.opentelemetry.sdk.metrics.export.CardinalityLimitSelector;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobTracing;
import java.util.Optional;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.config.PrometheusProperties;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Owns the OpenTelemetry SDK of one process: an {@link SdkMeterProvider} with a Prometheus reader
 * (registered in a client_java {@link PrometheusRegistry}, {@link #prometheusRegistry()}, which the
 * app serves with client_java's scrape handler), the bucket views of the job histograms, the JVM runtime
 * metrics and, when configured, an OTLP http/protobuf push.
 *
 * <p>The Prometheus reader uses {@link TranslationStrategy#NO_UTF8_ESCAPING_WITH_SUFFIXES} and the
 * exposition is written with {@link EscapingScheme#UNDERSCORE_ESCAPING}: dots become underscores,
 * unit and {@code _total} suffixes are added, and a counter named {@code osapi.jobs.created} comes
 * out as {@code osapi_jobs_created_total}. (The default strategy strips the reserved {@code
 * _created} suffix and would print {@code osapi_jobs_total}.) {@code target_info} and the {@code
 * otel_scope_*} labels are off unless configured.
 *
 * <p>A collection that fails throws from the registry's scrape (the HTTP layer answers 500 with a
 * short message); {@link #scrape(String)} returns it as {@link ScrapeResult#failure(String)}. An
 * observable callback that throws is caught by the SDK: the other families are still exported.
 */
public final class OtelMetricsBackend implements AutoCloseable {

  /** The instrument name of the HTTP server's in-flight request count (semconv). */
  public static final String HTTP_SERVER_ACTIVE_REQUESTS = "http.server.active_requests";

  /**
   * The attributes kept on {@value #HTTP_SERVER_ACTIVE_REQUESTS}: the library's advice keeps
   * method and scheme only, the metrics contract asks for the route too (a bounded template).
   */
  public static final Set<String> HTTP_ACTIVE_REQUESTS_ATTRIBUTES =
      Set.of("http.request.method", "http.route", "url.scheme");

  private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");
  private static final AttributeKey<String> SERVICE_INSTANCE_ID =
      AttributeKey.stringKey("service.instance.id");
  private static final System.Logger LOG = System.getLogger(OtelMetricsBackend.class.getName());
  private static final long CLOSE_TIMEOUT_SECONDS = 10;
  /**
   * The Prometheus exporter's converter warns on every scrape that it drops an exemplar's filtered
   * attributes (the HTTP semconv attributes the instruments' advice leaves out, past the 128
   * characters an exemplar may have beside its trace and span id); dropping them is what we want,
   * so only its errors are logged. Held here: JUL keeps loggers weakly.
   */
  private static final java.util.logging.Logger CONVERTER_LOG = java.util.logging.Logger
      .getLogger("io.opentelemetry.exporter.prometheus.Otel2PrometheusConverter");

  private final OtelMetricsConfig config;
  private final PrometheusMetricReader prometheusReader;
  private final SdkMeterProvider meterProvider;
  private final OpenTelemetry openTelemetry;
  private final SdkTracerProvider tracerProvider;
  private final JobTracing jobTracing;
  private final RuntimeMetrics runtimeMetrics;
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final ExpositionFormats formats =
      ExpositionFormats.init(PrometheusProperties.builder().build());
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile int lastScrapeSize = 16 * 1024;

  private final InternalErrors errors = new InternalErrors();
  private OtelJobMetrics jobMetrics;
  private OtelFleetMetrics fleetMetrics;
  private OtelConnectionMetrics connectionMetrics;
  private OtelHealthMetrics healthMetrics;
  private OtelAccessMetrics accessMetrics;
  private OtelScheduleMetrics scheduleMetrics;

  /**
   * Sets up the SDK as {@code config} says.
   *
   * @param config the configuration; {@link OtelMetricsConfig#defaults()} for the defaults
   */
  public OtelMetricsBackend(OtelMetricsConfig config) {
    this(config, Optional.empty());
  }

  /**
   * Sets up the SDK as {@code config} says, with tracing as {@code tracing} says: with a tracing
   * configuration, spans are exported over OTLP, incoming W3C contexts are honoured and the
   * histograms keep exemplars of sampled traces; without one nothing is traced.
   */
  public OtelMetricsBackend(OtelMetricsConfig config, Optional<OtelTracingConfig> tracing) {
    this.config = Objects.requireNonNull(config, "config");
    Resource resource = Resource.getDefault()
        .merge(Resource.create(Attributes.of(SERVICE_NAME, config.serviceName(),
            SERVICE_INSTANCE_ID, config.serviceInstanceId())));
    this.tracerProvider = tracing.map(t -> OtelTracerProviders.create(t, resource)).orElse(null);
    if (tracerProvider != null) {
      CONVERTER_LOG.setLevel(java.util.logging.Level.SEVERE);
    }
    this.prometheusReader =
        PrometheusMetricReader.builder()
            .setTranslationStrategy(TranslationStrategy.NO_UTF8_ESCAPING_WITH_SUFFIXES)
            .setTargetInfoMetricEnabled(config.targetInfoEnabled())
            .setOtelScopeLabelsEnabled(config.otelScopeLabelsEnabled())
            .build();
    int limit = config.cardinalityLimit();
    CardinalityLimitSelector cardinality = instrumentType -> limit;
    SdkMeterProviderBuilder builder =
        SdkMeterProvider.builder()
            .setResource(resource)
            .registerMetricReader(prometheusReader, cardinality)
            // exemplars of sampled spans when tracing; without tracing there are none to take,
            // and this saves every synchronous recording looking up the current span
            .setExemplarFilter(tracerProvider != null
                ? io.opentelemetry.sdk.metrics.ExemplarFilter.traceBased()
                : io.opentelemetry.sdk.metrics.ExemplarFilter.alwaysOff())
            .registerView(
                InstrumentSelector.builder().setName(OtelJobMetrics.JOB_DURATION).build(),
                View.builder()
                    .setAggregation(Aggregation.explicitBucketHistogram(config.durationBuckets()))
                    .build())
            .registerView(
                InstrumentSelector.builder().setName(OtelJobMetrics.JOB_QUEUE_WAIT).build(),
                View.builder()
                    .setAggregation(Aggregation.explicitBucketHistogram(config.queueWaitBuckets()))
                    .build())
            .registerView(
                InstrumentSelector.builder().setName(HTTP_SERVER_ACTIVE_REQUESTS).build(),
                View.builder().setAttributeFilter(HTTP_ACTIVE_REQUESTS_ATTRIBUTES).build());
    OtelMetricsConfig.Otlp otlp = config.otlp();
    if (otlp != null) {
      OtlpHttpMetricExporter exporter =
          OtlpHttpMetricExporter.builder()
              .setEndpoint(otlp.endpoint().toString())
              .setTimeout(otlp.timeout())
              .build();
      builder.registerMetricReader(
          PeriodicMetricReader.builder(exporter).setInterval(otlp.interval()).build(),
          cardinality);
    }
    this.meterProvider = builder.build();
    registry.register(new PrometheusCollector(prometheusReader, closed::get));
    this.openTelemetry = new MetricsOnlyOpenTelemetry(meterProvider, tracerProvider);
    // without tracing the spans are the API's no-ops; a run still makes its job id current for
    // the log lines
    this.jobTracing = new OtelJobTracing(
        tracerProvider == null ? TracerProvider.noop() : tracerProvider);
    RuntimeMetrics runtime = null;
    if (config.runtimeMetricsEnabled()) {
      RuntimeMetricsBuilder rb = RuntimeMetrics.builder(openTelemetry);
      if (!config.jfrRuntimeMetricsEnabled()) {
        rb.disableAllFeatures();
      }
      runtime = rb.build();
    }
    this.runtimeMetrics = runtime;
  }

  /** The configuration this backend was built with. */
  public OtelMetricsConfig config() {
    return config;
  }

  /**
   * The {@link OtelJobMetrics} on this backend's meter provider. The first call creates it; later
   * calls with the same operations return the same instance.
   *
   * @param operations the registered operation types (the {@code operation} label values besides
   *     {@code other})
   * @throws IllegalStateException if called again with other operations, or after {@link #close()}
   */
  public synchronized OtelJobMetrics jobMetrics(Set<String> operations) {
    Objects.requireNonNull(operations, "operations");
    requireOpen();
    if (jobMetrics == null) {
      jobMetrics = new OtelJobMetrics(meter(), operations, config.maxWorkerSeries(), errors);
    } else if (!jobMetrics.operations().equals(OtelJobMetrics.labelledOperations(operations))) {
      throw new IllegalStateException(
          "job metrics exist already for operations " + jobMetrics.operations());
    }
    return jobMetrics;
  }

  /** {@link io.osapi.core.port.FleetMetrics} on this backend (created at the first call). */
  public synchronized OtelFleetMetrics fleetMetrics() {
    requireOpen();
    if (fleetMetrics == null) {
      fleetMetrics = new OtelFleetMetrics(meter(), errors);
    }
    return fleetMetrics;
  }

  /**
   * {@link io.osapi.core.port.ConnectionMetrics} on this backend (created at the first call),
   * exported as {@code osapi_nats_connected} and {@code osapi_nats_reconnects_total}.
   */
  public synchronized OtelConnectionMetrics connectionMetrics() {
    requireOpen();
    if (connectionMetrics == null) {
      connectionMetrics = new OtelConnectionMetrics(meter(), errors);
    }
    return connectionMetrics;
  }

  /** {@link io.osapi.core.port.HealthMetrics} on this backend (created at the first call). */
  public synchronized OtelHealthMetrics healthMetrics() {
    requireOpen();
    if (healthMetrics == null) {
      healthMetrics = new OtelHealthMetrics(meter(), errors);
    }
    return healthMetrics;
  }

  /**
   * {@link io.osapi.core.port.AccessMetrics} on this backend (created at the first call): the
   * API edge's refusals and the audit trail's records.
   */
  public synchronized OtelAccessMetrics accessMetrics() {
    requireOpen();
    if (accessMetrics == null) {
      accessMetrics = new OtelAccessMetrics(meter(), errors);
    }
    return accessMetrics;
  }

  /**
   * {@link io.osapi.core.schedule.ScheduleMetrics} on this backend (created at the first call):
   * {@code osapi_schedule_fires_total}.
   */
  public synchronized OtelScheduleMetrics scheduleMetrics() {
    requireOpen();
    if (scheduleMetrics == null) {
      scheduleMetrics = new OtelScheduleMetrics(meter(), errors);
    }
    return scheduleMetrics;
  }

  private Meter meter() {
    return meterProvider.get(OtelJobMetrics.SCOPE_NAME);
  }

  private void requireOpen() {
    if (closed.get()) {
      throw new IllegalStateException("metrics backend is closed");
    }
  }

  /**
   * The {@code job.create} and {@code job.process} spans on this backend's tracer provider; when it
   * does not trace, no-op spans that pass no context on (a run's activation still names its job in
   * the log lines).
   */
  public JobTracing jobTracing() {
    return jobTracing;
  }

  /** Whether this backend traces (a tracing configuration was given). */
  public boolean tracing() {
    return tracerProvider != null;
  }

  /** The meter provider, for other instrumentation (HTTP server metrics, ...). */
  public MeterProvider meterProvider() {
    return meterProvider;
  }

  /**
   * An {@link OpenTelemetry} whose meter provider is this backend's, and when it traces its tracer
   * provider with W3C trace context propagation (no-ops otherwise). For libraries that take an
   * {@link OpenTelemetry} (the instrumentation API).
   */
  public OpenTelemetry openTelemetry() {
    return openTelemetry;
  }

  /**
   * A filter for a JDK HTTP server that records the semconv HTTP server metrics ({@code
   * http_server_request_duration_seconds}, {@code http_server_active_requests}) on this backend.
   *
   * @param routeTemplate maps a request path to its bounded route template, null when unknown
   */
  public com.sun.net.httpserver.Filter httpServerFilter(
      java.util.function.Function<String, String> routeTemplate) {
    return httpServerFilter(routeTemplate, (ex, c) -> ex);
  }

  /**
   * As {@link #httpServerFilter(java.util.function.Function)}; when this backend traces, also a
   * server span per request (under an incoming {@code traceparent}), whose context is handed to
   * {@code onSpan} before the request is handled; the exchange {@code onSpan} returns (the
   * request's own carrier of the context) is the one the rest of the chain gets.
   */
  public com.sun.net.httpserver.Filter httpServerFilter(
      java.util.function.Function<String, String> routeTemplate,
      java.util.function.BiFunction<com.sun.net.httpserver.HttpExchange, TraceContext,
          com.sun.net.httpserver.HttpExchange> onSpan) {
    return new io.osapi.adapter.otel.http.HttpServerMetricsFilter(openTelemetry, routeTemplate,
        onSpan);
  }

  /**
   * The client_java registry that holds this backend's metrics (the {@link PrometheusMetricReader},
   * one collection at a time, {@code _count} gauges as untyped): what a client_java scrape handler
   * serves at {@code /metrics}. After {@link #close()} its collection throws.
   */
  public PrometheusRegistry prometheusRegistry() {
    return registry;
  }

  /**
   * Collects and renders the exposition in process, negotiated by client_java's {@link
   * ExpositionFormats} as over HTTP: protobuf, OpenMetrics text 1.0.0 or Prometheus text 0.0.4 by
   * {@code acceptHeader}. Never throws; a failure comes back as {@link ScrapeResult#failure(String)}.
   * For tests, benchmarks and embedding code; HTTP scrapes go through {@link #prometheusRegistry()}.
   */
  public ScrapeResult scrape(String acceptHeader) {
    if (closed.get()) {
      return ScrapeResult.failure("metrics backend is closed");
    }
    try {
      ExpositionFormatWriter writer = formats.findWriter(acceptHeader);
      ByteArrayOutputStream out = new ByteArrayOutputStream(lastScrapeSize + 1024);
      writer.write(out, registry.scrape(), EscapingScheme.fromAcceptHeader(acceptHeader));
      lastScrapeSize = out.size();
      return ScrapeResult.success(writer.getContentType(), out.toByteArray());
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError && !(t instanceof StackOverflowError)) {
        throw (VirtualMachineError) t;
      }
      return ScrapeResult.failure("metrics collection failed: " + t.getClass().getSimpleName());
    }
  }

  /**
   * Stops the runtime metrics, flushes (a last OTLP push when configured) and shuts the SDK down.
   * Idempotent; scrapes after it return a failure.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      if (runtimeMetrics != null) {
        runtimeMetrics.close();
      }
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "closing the JVM runtime metrics failed", e);
    }
    meterProvider.forceFlush().join(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    meterProvider.shutdown().join(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    if (tracerProvider != null) {
      // the spans still queued go out first
      tracerProvider.shutdown().join(CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** An {@link OpenTelemetry} with a meter provider and, when tracing, a tracer provider. */
  private static final class MetricsOnlyOpenTelemetry implements OpenTelemetry {
    private final MeterProvider meterProvider;
    private final TracerProvider tracerProvider;

    MetricsOnlyOpenTelemetry(MeterProvider meterProvider, TracerProvider tracerProvider) {
      this.meterProvider = meterProvider;
      this.tracerProvider = tracerProvider;
    }

    @Override
    public TracerProvider getTracerProvider() {
      return tracerProvider == null ? TracerProvider.noop() : tracerProvider;
    }

    @Override
    public MeterProvider getMeterProvider() {
      return meterProvider;
    }

    @Override
    public ContextPropagators getPropagators() {
      return tracerProvider == null ? ContextPropagators.noop()
          : ContextPropagators.create(
              io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance());
    }
  }
}
