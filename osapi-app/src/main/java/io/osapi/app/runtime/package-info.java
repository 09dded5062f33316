/**
 * The running process: the parts a deployable is made of ({@link io.osapi.app.runtime.Managed}),
 * their start and stop order ({@link io.osapi.app.runtime.AppProcess}), readiness, the
 * controller's background refresher, the worker runner, the store/queue backend handles and the
 * shutdown hook. Plain classes with constructor injection; the wiring package assembles them.
 */
package io.osapi.app.runtime;
