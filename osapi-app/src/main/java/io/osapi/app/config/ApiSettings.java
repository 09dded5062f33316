package io.osapi.app.config;

import java.util.List;
import java.util.Locale;
import io.osapi.core.service.JobClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How the controller's REST API listens.
 *
 * @param address where it listens
 * @param token the bearer token every API request must carry, or empty for none
 * @param maxBodyBytes largest request body accepted (1 KiB to 16 MiB)
 * @param threads requests handled at once (1 to 256); more wait up to 10 s for a turn
 * @param hostNames names besides the bind address and {@code localhost} that clients may use in
 *     {@code Host} (and, for pages behind a reverse proxy, in {@code Origin}); lower case
 * @param jobTimeout how long the expected workers of a broadcast job have to answer when the
 *     request does not say (1 s to 24 h)
 * @param createPatience how long a create is held while the job store or queue is unavailable
 *     (0 s to {@link #MAX_CREATE_PATIENCE}), then 503
 * @param auth signed API tokens and custom roles
 * @param auditReads whether reads are recorded in the audit trail too ({@code --audit-reads};
 *     requests that change something always are)
 * @param idempotencyWindow how long an {@code Idempotency-Key} of a create is kept after its last
 *     write ({@code --idempotency-window}, 1 s to 30 days): a repeat within it is answered the
 *     first job
 */
public record ApiSettings(
    HostPort address, Optional<Secret> token, int maxBodyBytes, int threads,
    List<String> hostNames, Duration jobTimeout, Duration createPatience, AuthSettings auth,
    boolean auditReads, Duration idempotencyWindow) {
  /** Default {@link #idempotencyWindow}: 24 hours (the IETF draft's example). */
  public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofHours(24);

  /** Longest {@link #idempotencyWindow}. */
  public static final Duration MAX_IDEMPOTENCY_WINDOW = Duration.ofDays(30);

  /** Default API address: loopback, port 8080. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:8080";

  /**
   * Longest create patience: a held create is answered within the JDK server's 30 s response
   * limit even when its last attempt takes two NATS request timeouts.
   */
  public static final Duration MAX_CREATE_PATIENCE = Duration.ofSeconds(20);

  /** Default body cap: 64 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  private static final Pattern HOST_NAME =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");

  /** Validates the ranges and the host names. */
  public ApiSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(token, "token");
    hostNames = List.copyOf(hostNames);
    if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
      throw new ConfigException(
          "--max-body-bytes", "must be between 1024 and 16777216, got " + maxBodyBytes);
    }
    if (threads < 1 || threads > 256) {
      throw new ConfigException("--api-threads", "must be between 1 and 256, got " + threads);
    }
    for (String n : hostNames) {
      if (!HOST_NAME.matcher(n).matches() || n.length() > 253) {
        throw new ConfigException("--api-host-names", "'" + n + "' is not a host name");
      }
    }
    Objects.requireNonNull(jobTimeout, "jobTimeout");
    if (jobTimeout.compareTo(JobClient.MIN_TIMEOUT) < 0
        || jobTimeout.compareTo(JobClient.MAX_TIMEOUT) > 0) {
      throw new ConfigException("--job-timeout", "must be between 1s and 24h, got " + jobTimeout);
    }
    Objects.requireNonNull(createPatience, "createPatience");
    if (createPatience.isNegative() || createPatience.compareTo(MAX_CREATE_PATIENCE) > 0) {
      throw new ConfigException("--create-patience", "must be between 0s and 20s, got "
          + Durations.format(createPatience));
    }
    Objects.requireNonNull(auth, "auth");
    Objects.requireNonNull(idempotencyWindow, "idempotencyWindow");
    if (idempotencyWindow.compareTo(Duration.ofSeconds(1)) < 0
        || idempotencyWindow.compareTo(MAX_IDEMPOTENCY_WINDOW) > 0) {
      throw new ConfigException("--idempotency-window", "must be between 1s and 30d, got "
          + Durations.format(idempotencyWindow));
    }
  }

  /** These settings with another idempotency key window. */
  public ApiSettings withIdempotencyWindow(Duration w) {
    return new ApiSettings(address, token, maxBodyBytes, threads, hostNames, jobTimeout,
        createPatience, auth, auditReads, w);
  }

  /** Settings without signed tokens. */
  public ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads,
      List<String> hostNames, Duration jobTimeout, Duration createPatience) {
    this(address, token, maxBodyBytes, threads, hostNames, jobTimeout, createPatience,
        AuthSettings.NONE, false, DEFAULT_IDEMPOTENCY_WINDOW);
  }

  /** These settings with reads audited or not. */
  public ApiSettings withAuditReads(boolean reads) {
    return new ApiSettings(address, token, maxBodyBytes, threads, hostNames, jobTimeout,
        createPatience, auth, reads, idempotencyWindow);
  }

  /** Settings with the default create patience. */
  public ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads,
      List<String> hostNames, Duration jobTimeout) {
    this(address, token, maxBodyBytes, threads, hostNames, jobTimeout,
        JobClient.DEFAULT_CREATE_PATIENCE);
  }

  /** Settings without extra host names, with the default job timeout. */
  public ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads) {
    this(address, token, maxBodyBytes, threads, List.of(), JobClient.DEFAULT_TIMEOUT);
  }

  /** Settings with the default job timeout. */
  public ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads,
      List<String> hostNames) {
    this(address, token, maxBodyBytes, threads, hostNames, JobClient.DEFAULT_TIMEOUT);
  }

  /**
   * Parses {@code --api-host-names}: names separated by commas, case-insensitive, a trailing dot
   * ignored; blank for none.
   *
   * @throws ConfigException for a name that is not a DNS host name
   */
  public static List<String> parseHostNames(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    List<String> out = new java.util.ArrayList<>();
    for (String part : text.split(",")) {
      String n = part.strip().toLowerCase(Locale.ROOT);
      if (n.endsWith(".")) {
        n = n.substring(0, n.length() - 1);
      }
      if (n.isEmpty() || !HOST_NAME.matcher(n).matches() || n.length() > 253) {
        throw new ConfigException("--api-host-names",
            "'" + part.strip() + "' is not a host name (like osapi.example.net)");
      }
      out.add(n);
    }
    return List.copyOf(out);
  }

  /** Settings on {@code address} with no token and the defaults. */
  public static ApiSettings on(HostPort address) {
    return new ApiSettings(address, Optional.empty(), DEFAULT_MAX_BODY_BYTES, 16);
  }

  /** These settings with another default job timeout. */
  public ApiSettings withJobTimeout(Duration t) {
    return new ApiSettings(address, token, maxBodyBytes, threads, hostNames, t, createPatience,
        auth, auditReads, idempotencyWindow);
  }

  /** These settings with another create patience. */
  public ApiSettings withCreatePatience(Duration p) {
    return new ApiSettings(address, token, maxBodyBytes, threads, hostNames, jobTimeout, p,
        auth, auditReads, idempotencyWindow);
  }

  /** These settings with a bearer token required. */
  public ApiSettings withToken(Secret t) {
    return new ApiSettings(address, Optional.of(t), maxBodyBytes, threads, hostNames, jobTimeout,
        createPatience, auth, auditReads, idempotencyWindow);
  }

  /** These settings with another body cap. */
  public ApiSettings withMaxBodyBytes(int n) {
    return new ApiSettings(address, token, n, threads, hostNames, jobTimeout, createPatience,
        auth, auditReads, idempotencyWindow);
  }

  /** These settings with signed API tokens and custom roles. */
  public ApiSettings withAuth(AuthSettings a) {
    return new ApiSettings(address, token, maxBodyBytes, threads, hostNames, jobTimeout,
        createPatience, a, auditReads, idempotencyWindow);
  }
}
