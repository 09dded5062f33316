package io.osapi.app.cli;

import io.osapi.app.auth.TokenKeys;
import io.osapi.app.config.ApiSettings;
import io.osapi.app.config.AuthSettings;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import io.osapi.app.config.HostPort;
import io.osapi.app.config.Secret;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** REST API options of the controller and the all-in-one process. */
public final class ApiOptions {
  /** The shortest API token accepted: a guessable token is worse than a visible lack of one. */
  static final int MIN_TOKEN_LENGTH = 16;

  @Option(
      names = "--api-addr",
      paramLabel = "HOST:PORT",
      defaultValue = ApiSettings.DEFAULT_ADDRESS,
      description = "Where the REST API listens (default: ${DEFAULT-VALUE}).")
  String address;

  @Option(
      names = "--api-token-file",
      paramLabel = "PATH",
      description = "File holding the bearer token every API request must carry"
          + " (default: no token).")
  Path tokenFile;

  @Option(
      names = AuthSettings.KEY_FILE_OPTION,
      paramLabel = "PATH",
      description = "Key file API tokens are verified with: an HS256 secret (at least 32 bytes),"
          + " or the ES256 public JWK or JWK Set of osapi-app token keygen; mode 600"
          + " (default: no signed tokens).")
  Path tokenKeyFile;

  @Option(
      names = AuthSettings.REVOKED_FILE_OPTION,
      paramLabel = "PATH",
      description = "Deny list of API token ids (jti), one a line, # comments; re-read within a"
          + " second of a change (default: none).")
  Path tokenRevokedFile;

  /** The command this mixin is part of: its default value provider holds the config's roles. */
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "N",
      defaultValue = "65536",
      description = "Largest request body accepted, 1024 to 16777216 (default: ${DEFAULT-VALUE}).")
  int maxBodyBytes;

  @Option(
      names = "--api-threads",
      paramLabel = "N",
      defaultValue = "16",
      description = "Requests the API handles at the same time, 1 to 256 (default: ${DEFAULT-VALUE}).")
  int threads;

  @Option(
      names = "--api-host-names",
      paramLabel = "NAME[,NAME...]",
      description = "Host names clients may use for the API besides its --api-addr host, localhost"
          + " and IP addresses; other Host headers get 421 (default: none).")
  String hostNames;

  @Option(
      names = "--job-timeout",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description = "How long the expected workers of a broadcast job (_all, a worker id,"
          + " key:value) have to answer unless the request says (timeout_seconds); then the"
          + " silent ones are failed, 1s to 24h (default: ${DEFAULT-VALUE}).")
  String jobTimeout;

  @Option(
      names = "--create-patience",
      paramLabel = "DURATION",
      defaultValue = "15s",
      description = "How long a job create is held while the job store or queue is unavailable"
          + " (a NATS fail-over), retried with back-off; then 503 with Retry-After; every"
          + " request that changes something waits as long (and 1s) for its audit record, 0s to"
          + " 20s (default: ${DEFAULT-VALUE}).")
  String createPatience;

  @Option(
      names = "--idempotency-window",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description = "How long the Idempotency-Key of a job create is kept: a repeat with the key"
          + " within it is answered the first job (on NATS the max age of bucket"
          + " osapi-idempotency), 1s to 30d (default: ${DEFAULT-VALUE}).")
  String idempotencyWindow;

  @Option(
      names = "--audit-reads",
      description = "Record reads in the audit trail too; requests that change something always"
          + " are (default: off).")
  boolean auditReads;

  /** The API settings. @throws ConfigException naming the option at fault */
  ApiSettings toSettings() {
    HostPort addr = HostPort.parseListen("--api-addr", address);
    if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
      throw new ConfigException(
          "--max-body-bytes", "must be between 1024 and 16777216, got " + maxBodyBytes);
    }
    Optional<Secret> token =
        tokenFile == null ? Optional.empty()
            : Optional.of(Secret.readFile("--api-token-file", tokenFile));
    if (token.isPresent() && token.get().value().length() < MIN_TOKEN_LENGTH) {
      throw new ConfigException("--api-token-file", "the token in " + tokenFile + " has "
          + token.get().value().length() + " characters; use at least " + MIN_TOKEN_LENGTH
          + " (openssl rand -hex 32 > " + tokenFile + ")");
    }
    if (tokenKeyFile != null) {
      TokenKeys.readFile(AuthSettings.KEY_FILE_OPTION, tokenKeyFile); // refused now, exit 2
    }
    AuthSettings auth = new AuthSettings(Optional.ofNullable(tokenKeyFile),
        Optional.ofNullable(tokenRevokedFile), customRoles());
    return new ApiSettings(addr, token, maxBodyBytes, threads,
        ApiSettings.parseHostNames(hostNames), Durations.parse("--job-timeout", jobTimeout),
        Durations.parseAtMost("--create-patience", createPatience,
            ApiSettings.MAX_CREATE_PATIENCE, "20s"), auth, auditReads,
        Durations.parseAtMost("--idempotency-window", idempotencyWindow,
            ApiSettings.MAX_IDEMPOTENCY_WINDOW, "30d"));
  }

  /** The custom roles of the config file, if the command line was read with one. */
  private Map<String, String> customRoles() {
    return mixee != null && mixee.defaultValueProvider() instanceof OptionSources s
        ? s.customRoles() : Map.of();
  }
}
