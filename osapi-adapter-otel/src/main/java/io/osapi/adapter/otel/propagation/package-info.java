/** W3C trace context conversions shared by the job spans and the HTTP server spans. */
package io.osapi.adapter.otel.propagation;
