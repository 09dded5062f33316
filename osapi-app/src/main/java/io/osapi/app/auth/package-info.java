/**
 * Who may call the REST API: signed tokens ({@code TokenVerifier}), the break-glass static token,
 * roles that expand to {@link io.osapi.app.auth.Permission}s, and the {@link
 * io.osapi.app.auth.Caller} the edge establishes for each request.
 */
package io.osapi.app.auth;
