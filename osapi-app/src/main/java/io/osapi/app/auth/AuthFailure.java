package io.osapi.app.auth;

/**
 * Why a request was refused at the edge: the {@code reason} label of {@code
 * osapi_api_auth_failures_total}.
 */
public enum AuthFailure {
  /** No credential where one is required (401). */
  MISSING("missing"),
  /** A credential that does not verify: unknown, tampered, wrong algorithm or key, revoked (401). */
  INVALID("invalid"),
  /** A token past its {@code exp} or before its {@code nbf} (401). */
  EXPIRED("expired"),
  /** A verified caller without the permission the request needs (403). */
  FORBIDDEN("forbidden");

  private final String label;

  AuthFailure(String label) {
    this.label = label;
  }

  /** The metric label value. */
  public String label() {
    return label;
  }
}
