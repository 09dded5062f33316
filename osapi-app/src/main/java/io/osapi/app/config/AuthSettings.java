package io.osapi.app.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Who may call the REST API besides the holder of the static token ({@link ApiSettings#token()}):
 * signed API tokens and the roles they name. The files are read when the API's authenticator is
 * built ({@code io.osapi.app.auth.ApiAuthenticator}).
 *
 * @param tokenKeyFile {@value #KEY_FILE_OPTION}: the HS256 secret or the ES256 public JWK (Set)
 *     tokens are verified with, or empty for no signed tokens
 * @param revokedFile {@value #REVOKED_FILE_OPTION}: the deny list of token ids, or empty for none
 * @param customRoles the config file's custom roles: {@code role.NAME} to its permissions as
 *     written ({@code jobs:read, jobs:create}), checked when the config file was read
 */
public record AuthSettings(
    Optional<Path> tokenKeyFile, Optional<Path> revokedFile, Map<String, String> customRoles) {
  /** The option naming the key file. */
  public static final String KEY_FILE_OPTION = "--api-token-key-file";

  /** The option naming the deny list. */
  public static final String REVOKED_FILE_OPTION = "--api-token-revoked-file";

  /** No signed tokens, no custom roles. */
  public static final AuthSettings NONE =
      new AuthSettings(Optional.empty(), Optional.empty(), Map.of());

  /** Checks for nulls; a deny list needs a key file. */
  public AuthSettings {
    Objects.requireNonNull(tokenKeyFile, "tokenKeyFile");
    Objects.requireNonNull(revokedFile, "revokedFile");
    customRoles = Map.copyOf(new TreeMap<>(customRoles));
    if (revokedFile.isPresent() && tokenKeyFile.isEmpty()) {
      throw new ConfigException(REVOKED_FILE_OPTION, "revokes signed tokens, but no "
          + KEY_FILE_OPTION + " is given to accept them");
    }
  }
}
