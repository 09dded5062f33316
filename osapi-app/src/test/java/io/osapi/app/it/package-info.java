/**
 * End-to-end tests (Failsafe, {@code *IT}): the shaded {@code osapi-app.jar} started as separate
 * OS processes, against a real {@code nats-server} the tests start themselves.
 */
package io.osapi.app.it;
