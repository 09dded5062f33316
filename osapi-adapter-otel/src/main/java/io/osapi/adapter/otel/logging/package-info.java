/** Log lines that carry the trace, span and job the logging thread is handling. */
package io.osapi.adapter.otel.logging;
