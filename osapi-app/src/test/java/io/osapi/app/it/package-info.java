/**
 * End-to-end and reliability tests (Failsafe, {@code *IT}): the shaded {@code osapi-app.jar}
 * started as separate OS processes, against a real {@code nats-server} the tests start themselves.
 *
 * <p>Also the shared test helpers for everything that starts real processes ({@link
 * io.osapi.app.it.OsProcess}, {@link io.osapi.app.it.NatsServer} with restart and kill, {@link
 * io.osapi.app.it.Osapi}, {@link io.osapi.app.it.PrometheusServer}, {@link io.osapi.app.it.Http},
 * {@link io.osapi.app.it.Ports}, {@link io.osapi.app.it.Scrape}); the doc tests in {@code
 * io.osapi.app.docs} use them too.
 */
package io.osapi.app.it;
