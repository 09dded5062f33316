/**
 * JMH benchmarks of the OpenTelemetry adapter (profile {@code bench}, run with {@code
 * osapi-adapter-otel/bench.sh}); not part of the normal build.
 */
package io.osapi.adapter.otel.bench;
