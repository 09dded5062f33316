package io.osapi.adapter.otel;

import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;

/**
 * Makes the tracer provider of an {@link OtelTracingConfig}: the SDK's OTLP span exporter behind a
 * batch processor (export never on the caller's thread; a full queue drops spans rather than
 * block), with the configured sampler.
 */
final class OtelTracerProviders {
  private OtelTracerProviders() {}

  static SdkTracerProvider create(OtelTracingConfig config, Resource resource) {
    Sampler ratio = Sampler.traceIdRatioBased(config.sampleRatio());
    return SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(config.parentBased() ? Sampler.parentBased(ratio) : ratio)
        .addSpanProcessor(BatchSpanProcessor.builder(exporter(config)).build())
        .build();
  }

  private static SpanExporter exporter(OtelTracingConfig config) {
    if (config.protocol() == OtelTracingConfig.Protocol.GRPC) {
      OtlpGrpcSpanExporterBuilder b = OtlpGrpcSpanExporter.builder()
          .setEndpoint(config.endpoint().toString())
          .setTimeout(config.timeout());
      config.headers().forEach(b::addHeader);
      return b.build();
    }
    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
        .setEndpoint(config.endpoint().toString())
        .setTimeout(config.timeout());
    config.headers().forEach(b::addHeader);
    return b.build();
  }
}
