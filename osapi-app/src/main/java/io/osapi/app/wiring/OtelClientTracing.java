package io.osapi.app.wiring;

import io.osapi.adapter.otel.OtelClientSpans;
import io.osapi.app.client.ClientTracing;
import io.osapi.app.config.TracingSettings;
import io.osapi.core.port.JobSpan;

/** {@link ClientTracing} on the OTel adapter: a client span exported over OTLP when configured. */
public final class OtelClientTracing implements ClientTracing {
  /** The {@code service.name} of the CLI's spans. */
  public static final String SERVICE_NAME = "osapi-cli";

  @Override
  public JobSpan start(String name, TracingSettings settings) {
    return TracingConfigs.of(settings)
        .map(c -> OtelClientSpans.start(c, SERVICE_NAME, name))
        .orElse(JobSpan.noop());
  }
}
