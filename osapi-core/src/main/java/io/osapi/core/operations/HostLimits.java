package io.osapi.core.operations;

import io.osapi.core.domain.InvalidInputException;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What a worker's host owner allows the host operations ({@code command.exec}, {@code
 * shell.exec}): which environment variables a job may set, how much output is kept, and how long
 * a process group gets between SIGTERM and SIGKILL.
 *
 * @param allowedEnv names of the environment variables a job may set (none by default)
 * @param outputCapBytes bytes of stdout and of stderr kept per run, 1 to {@link #MAX_OUTPUT_CAP}
 * @param killGrace time between SIGTERM and SIGKILL when a process group is ended, 0 to 60 s
 */
public record HostLimits(Set<String> allowedEnv, int outputCapBytes, Duration killGrace) {
  /** Default bytes kept per output stream: 64 KiB. */
  public static final int DEFAULT_OUTPUT_CAP = 64 * 1024;
  /**
   * Most bytes kept per output stream: 256 KiB, so that a run's end (both streams, escaped as
   * JSON) stays within the job store's record limit (a NATS server's max payload, 1 MiB by
   * default).
   */
  public static final int MAX_OUTPUT_CAP = 256 * 1024;
  /** Default time between SIGTERM and SIGKILL. */
  public static final Duration DEFAULT_KILL_GRACE = Duration.ofSeconds(5);

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

  /** Validates every field with a message naming it. */
  public HostLimits {
    Objects.requireNonNull(allowedEnv, "allowedEnv");
    for (String n : allowedEnv) {
      requireEnvName("allow-env", n);
    }
    allowedEnv = Set.copyOf(new TreeSet<>(allowedEnv));
    if (outputCapBytes < 1 || outputCapBytes > MAX_OUTPUT_CAP) {
      throw new InvalidInputException("output-cap-bytes",
          "output-cap-bytes must be between 1 and " + MAX_OUTPUT_CAP + ", got " + outputCapBytes);
    }
    Objects.requireNonNull(killGrace, "killGrace");
    if (killGrace.isNegative() || killGrace.compareTo(Duration.ofMinutes(1)) > 0) {
      throw new InvalidInputException("kill-grace", "kill-grace must be between 0 and 60 s");
    }
  }

  /** No environment variables, 64 KiB per stream, 5 s of grace. */
  public static HostLimits defaults() {
    return new HostLimits(Set.of(), DEFAULT_OUTPUT_CAP, DEFAULT_KILL_GRACE);
  }

  /** These limits allowing the environment variables {@code names}. */
  public HostLimits withAllowedEnv(Set<String> names) {
    return new HostLimits(names, outputCapBytes, killGrace);
  }

  /** These limits keeping {@code bytes} per output stream. */
  public HostLimits withOutputCap(int bytes) {
    return new HostLimits(allowedEnv, bytes, killGrace);
  }

  /** These limits with another grace between SIGTERM and SIGKILL. */
  public HostLimits withKillGrace(Duration grace) {
    return new HostLimits(allowedEnv, outputCapBytes, grace);
  }

  /**
   * Checks the form of an environment variable name.
   *
   * @throws InvalidInputException naming {@code field}
   */
  static String requireEnvName(String field, String name) {
    if (name == null || !ENV_NAME.matcher(name).matches()) {
      throw new InvalidInputException(field, field + ": '" + name + "' is not an environment"
          + " variable name (letters, digits and _, not starting with a digit)");
    }
    return name;
  }
}
