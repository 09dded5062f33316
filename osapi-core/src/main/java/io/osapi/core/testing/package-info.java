/**
 * Test helpers published with the core, like OpenTelemetry's testing module: {@link
 * io.osapi.core.testing.RecordingJobMetrics} records every metrics call for assertions.
 */
package io.osapi.core.testing;
