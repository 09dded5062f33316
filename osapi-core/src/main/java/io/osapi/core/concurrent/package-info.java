/**
 * Concurrency building blocks shared by the core and the adapters: the one retry policy ({@link
 * io.osapi.core.concurrent.Backoff}) and the one thread factory ({@link
 * io.osapi.core.concurrent.DaemonThreads}). Adapters may use this package beside {@code port} and
 * {@code domain}; nothing else of the core is theirs (an ArchUnit rule says so).
 */
package io.osapi.core.concurrent;
