package io.osapi.app.auth;

/**
 * Establishes who made a request from its {@code Authorization} header: a signed token, the
 * break-glass static token, or (when no credential is configured) the anonymous loopback caller.
 * Thread-safe; never throws for any header value.
 */
public interface Authenticator {
  /**
   * @param authorizationHeader the header value, or null when absent
   */
  Authentication authenticate(String authorizationHeader);

  /** True when some credential is required (a token key or a static token is configured). */
  boolean required();

  /** An authenticator for an API with no credential configured: everyone is anonymous. */
  static Authenticator none() {
    Authentication anonymous = new Authentication.Verified(Caller.anonymous()); // immutable
    return new Authenticator() {
      @Override
      public Authentication authenticate(String authorizationHeader) {
        return anonymous;
      }

      @Override
      public boolean required() {
        return false;
      }
    };
  }
}
