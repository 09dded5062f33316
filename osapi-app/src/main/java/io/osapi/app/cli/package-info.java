/**
 * The command line (picocli): the server commands (all-in-one by default, {@code controller},
 * {@code worker}) and the job client commands ({@code job ...}, {@code workers}). Every option can
 * also come from an {@code OSAPI_...} environment variable or a properties file ({@code
 * --config}); bad values are refused with one line naming the option and exit code 2.
 */
package io.osapi.app.cli;
