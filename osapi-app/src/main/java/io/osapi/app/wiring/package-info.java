/**
 * The Dagger wiring: one root component per deployable ({@link
 * io.osapi.app.wiring.ControllerComponent}, {@link io.osapi.app.wiring.WorkerComponent}, {@link
 * io.osapi.app.wiring.AllInOneComponent}), modules per area (core, NATS, embedded broker, OTel,
 * HTTP, controller, worker), and {@link io.osapi.app.wiring.Processes}, which builds the right
 * component for the settings. This is the only package that uses Dagger or {@code javax.inject}.
 */
package io.osapi.app.wiring;
