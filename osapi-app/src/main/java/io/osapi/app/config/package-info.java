/**
 * Settings of the osapi processes as immutable, validated values, and the parsers that turn option
 * text (host:port, durations, labels, secret files, the worker id default) into them. Every parse
 * error is a {@link io.osapi.app.config.ConfigException} naming the option it came from.
 */
package io.osapi.app.config;
