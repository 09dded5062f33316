package io.osapi.adapter.otel;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link OtelMetricsBackend} sets up the SDK. Build one with {@link #builder()}; {@link
 * #defaults()} is what a process gets without configuration.
 *
 * @param serviceName the {@code service.name} resource attribute (seen in {@code target_info} and
 *     in OTLP pushes)
 * @param durationBuckets bucket boundaries of {@code osapi_job_duration_seconds}, in seconds,
 *     strictly increasing
 * @param queueWaitBuckets bucket boundaries of {@code osapi_job_queue_wait_seconds}, in seconds,
 *     strictly increasing
 * @param cardinalityLimit most series per instrument and reader; past it the SDK folds new series
 *     into {@code otel_metric_overflow="true"}
 * @param targetInfoEnabled whether the Prometheus output has {@code target_info} (off by default:
 *     it comes without HELP, which {@code promtool check metrics} rejects)
 * @param otelScopeLabelsEnabled whether every Prometheus series carries {@code otel_scope_*} labels
 * @param runtimeMetricsEnabled whether the JVM runtime metrics ({@code jvm_*}) are exported
 * @param jfrRuntimeMetricsEnabled whether the JFR-based runtime metrics are added (starts a JFR
 *     recording stream; off by default, the JMX ones cover the contract)
 * @param maxWorkerSeries the most workers of one process given their own {@code worker} series
 *     (default {@value OtelJobMetrics#DEFAULT_MAX_WORKERS}); raise it with {@code cardinalityLimit}
 * @param otlp where to push the metrics over OTLP http/protobuf, or null for no push
 * @param serviceInstanceId the {@code service.instance.id} resource attribute (a random UUID per
 *     process by default): tells the pushes of two processes of one service apart
 */
public record OtelMetricsConfig(
    String serviceName,
    List<Double> durationBuckets,
    List<Double> queueWaitBuckets,
    int cardinalityLimit,
    boolean targetInfoEnabled,
    boolean otelScopeLabelsEnabled,
    boolean runtimeMetricsEnabled,
    boolean jfrRuntimeMetricsEnabled,
    int maxWorkerSeries,
    Otlp otlp,
    String serviceInstanceId) {

  /** The default {@link #cardinalityLimit()}: the SDK's own default. */
  public static final int DEFAULT_CARDINALITY_LIMIT = 2000;

  /** Checks the values. */
  public OtelMetricsConfig {
    Objects.requireNonNull(serviceName, "serviceName");
    Objects.requireNonNull(serviceInstanceId, "serviceInstanceId");
    durationBuckets = checkBuckets("durationBuckets", durationBuckets);
    queueWaitBuckets = checkBuckets("queueWaitBuckets", queueWaitBuckets);
    if (maxWorkerSeries < 1) {
      throw new IllegalArgumentException("maxWorkerSeries must be at least 1: " + maxWorkerSeries);
    }
    if (cardinalityLimit < 1) {
      throw new IllegalArgumentException("cardinalityLimit must be at least 1: " + cardinalityLimit);
    }
  }

  /** The configuration without any option set. */
  public static OtelMetricsConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.serviceName = serviceName;
    b.serviceInstanceId = serviceInstanceId;
    b.durationBuckets = durationBuckets;
    b.queueWaitBuckets = queueWaitBuckets;
    b.cardinalityLimit = cardinalityLimit;
    b.targetInfoEnabled = targetInfoEnabled;
    b.otelScopeLabelsEnabled = otelScopeLabelsEnabled;
    b.runtimeMetricsEnabled = runtimeMetricsEnabled;
    b.jfrRuntimeMetricsEnabled = jfrRuntimeMetricsEnabled;
    b.maxWorkerSeries = maxWorkerSeries;
    b.otlp = otlp;
    return b;
  }

  private static List<Double> checkBuckets(String name, List<Double> buckets) {
    Objects.requireNonNull(buckets, name);
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    double previous = Double.NEGATIVE_INFINITY;
    for (Double b : buckets) {
      if (b == null || !Double.isFinite(b) || b <= previous) {
        throw new IllegalArgumentException(
            name + " must be finite and strictly increasing: " + buckets);
      }
      previous = b;
    }
    return List.copyOf(buckets);
  }

  /**
   * The OTLP http/protobuf push, for processes Prometheus cannot reach.
   *
   * @param endpoint the full metrics URL, e.g. {@code http://collector:4318/v1/metrics}
   * @param interval how often to push
   * @param timeout how long one push may take
   */
  public record Otlp(URI endpoint, Duration interval, Duration timeout) {

    /** The default push interval. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(30);

    /** The default push timeout. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /** Checks the values. */
    public Otlp {
      Objects.requireNonNull(endpoint, "endpoint");
      Objects.requireNonNull(interval, "interval");
      Objects.requireNonNull(timeout, "timeout");
      String scheme = endpoint.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme)) {
        throw new IllegalArgumentException("OTLP endpoint must be http or https: " + endpoint);
      }
      if (interval.isNegative() || interval.isZero() || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("OTLP interval and timeout must be positive");
      }
    }

    /** A push to {@code endpoint} with the default interval and timeout. */
    public static Otlp to(URI endpoint) {
      return new Otlp(endpoint, DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
    }
  }

  /** Builds an {@link OtelMetricsConfig}. */
  public static final class Builder {
    private String serviceName = "osapi";
    private List<Double> durationBuckets = OtelJobMetrics.DEFAULT_DURATION_BUCKETS;
    private List<Double> queueWaitBuckets = OtelJobMetrics.DEFAULT_QUEUE_WAIT_BUCKETS;
    private int cardinalityLimit = DEFAULT_CARDINALITY_LIMIT;
    private boolean targetInfoEnabled;
    private boolean otelScopeLabelsEnabled;
    private boolean runtimeMetricsEnabled = true;
    private boolean jfrRuntimeMetricsEnabled;
    private int maxWorkerSeries = OtelJobMetrics.DEFAULT_MAX_WORKERS;
    private Otlp otlp;
    private String serviceInstanceId = java.util.UUID.randomUUID().toString();

    private Builder() {}

    /** Sets {@link OtelMetricsConfig#serviceInstanceId()} (default a random UUID). */
    public Builder serviceInstanceId(String id) {
      this.serviceInstanceId = id;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#serviceName()} (default {@code osapi}). */
    public Builder serviceName(String serviceName) {
      this.serviceName = serviceName;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#durationBuckets()} (default 5 ms to 600 s). */
    public Builder durationBuckets(List<Double> seconds) {
      this.durationBuckets = seconds;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#queueWaitBuckets()} (default 1 ms to 1800 s). */
    public Builder queueWaitBuckets(List<Double> seconds) {
      this.queueWaitBuckets = seconds;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#cardinalityLimit()} (default 2000). */
    public Builder cardinalityLimit(int limit) {
      this.cardinalityLimit = limit;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#targetInfoEnabled()} (default false). */
    public Builder targetInfoEnabled(boolean enabled) {
      this.targetInfoEnabled = enabled;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#otelScopeLabelsEnabled()} (default false). */
    public Builder otelScopeLabelsEnabled(boolean enabled) {
      this.otelScopeLabelsEnabled = enabled;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#runtimeMetricsEnabled()} (default true). */
    public Builder runtimeMetricsEnabled(boolean enabled) {
      this.runtimeMetricsEnabled = enabled;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#maxWorkerSeries()} (default 256). */
    public Builder maxWorkerSeries(int max) {
      this.maxWorkerSeries = max;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#jfrRuntimeMetricsEnabled()} (default false). */
    public Builder jfrRuntimeMetricsEnabled(boolean enabled) {
      this.jfrRuntimeMetricsEnabled = enabled;
      return this;
    }

    /** Sets {@link OtelMetricsConfig#otlp()} (default null: no push). */
    public Builder otlp(Otlp otlp) {
      this.otlp = otlp;
      return this;
    }

    /** The configuration. */
    public OtelMetricsConfig build() {
      return new OtelMetricsConfig(
          serviceName,
          durationBuckets,
          queueWaitBuckets,
          cardinalityLimit,
          targetInfoEnabled,
          otelScopeLabelsEnabled,
          runtimeMetricsEnabled,
          jfrRuntimeMetricsEnabled,
          maxWorkerSeries,
          otlp,
          serviceInstanceId);
    }
  }
}
