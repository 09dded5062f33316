package io.osapi.app.config;

import io.osapi.core.service.JobClient;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How the controller's REST API listens.
 *
 * @param address where it listens
 * @param token the bearer token every API request must carry, or empty for none
 * @param maxBodyBytes largest request body accepted (1 KiB to 16 MiB)
 * @param threads request threads (1 to 256); requests beyond them wait in a bounded queue
 * @param jobTimeout how long the expected workers of a broadcast job have to answer when the
 *     request does not say (1 s to 24 h)
 */
public record ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads,
    Duration jobTimeout) {
  /** Default API address: loopback, port 8080. */
  public static final String DEFAULT_ADDRESS = "127.0.0.1:8080";

  /** Default body cap: 64 KiB. */
  public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

  /** Validates the ranges. */
  public ApiSettings {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(token, "token");
    if (maxBodyBytes < 1024 || maxBodyBytes > 16 * 1024 * 1024) {
      throw new ConfigException(
          "--max-body-bytes", "must be between 1024 and 16777216, got " + maxBodyBytes);
    }
    if (threads < 1 || threads > 256) {
      throw new ConfigException("--api-threads", "must be between 1 and 256, got " + threads);
    }
    Objects.requireNonNull(jobTimeout, "jobTimeout");
    if (jobTimeout.compareTo(JobClient.MIN_TIMEOUT) < 0
        || jobTimeout.compareTo(JobClient.MAX_TIMEOUT) > 0) {
      throw new ConfigException("--job-timeout", "must be between 1s and 24h, got " + jobTimeout);
    }
  }

  /** Settings with the default job timeout. */
  public ApiSettings(HostPort address, Optional<Secret> token, int maxBodyBytes, int threads) {
    this(address, token, maxBodyBytes, threads, JobClient.DEFAULT_TIMEOUT);
  }

  /** Settings on {@code address} with no token and the defaults. */
  public static ApiSettings on(HostPort address) {
    return new ApiSettings(address, Optional.empty(), DEFAULT_MAX_BODY_BYTES, 16);
  }

  /** These settings with another default job timeout. */
  public ApiSettings withJobTimeout(Duration t) {
    return new ApiSettings(address, token, maxBodyBytes, threads, t);
  }

  /** These settings with a bearer token required. */
  public ApiSettings withToken(Secret t) {
    return new ApiSettings(address, Optional.of(t), maxBodyBytes, threads, jobTimeout);
  }

  /** These settings with another body cap. */
  public ApiSettings withMaxBodyBytes(int n) {
    return new ApiSettings(address, token, n, threads, jobTimeout);
  }
}
