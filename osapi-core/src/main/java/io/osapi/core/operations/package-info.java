/** The built-in operations: {@code system.*.get} queries and {@code diag.*} diagnostics. */
package io.osapi.core.operations;
