/**
 * Internals of the core that other packages of the core share: not part of its API, and may
 * change in any release. Code outside {@code osapi-core} must not use it (an ArchUnit rule checks
 * that for this project). Today: the JSON reader and writer the core needs to stay free of
 * third-party dependencies.
 */
package io.osapi.core.internal;
