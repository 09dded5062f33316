package io.osapi.app.cli;

import io.osapi.adapter.nats.NatsSettings;
import io.osapi.adapter.nats.NatsSettingsBuilder;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import io.osapi.app.config.Secret;
import io.osapi.core.service.WorkerConfig;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Option;

/** NATS authentication, TLS and layout options of the server commands. */
public final class NatsOptions {
  /**
   * How long a process waits for NATS at start before it starts anyway, not ready, and keeps
   * connecting in the background (so its endpoints answer 503 instead of nothing).
   */
  static final java.time.Duration STARTUP_WAIT = java.time.Duration.ofSeconds(3);

  @Option(
      names = "--nats-user",
      paramLabel = "USER",
      description = "NATS user name (with --nats-password-file).")
  String user;

  @Option(
      names = "--nats-password-file",
      paramLabel = "PATH",
      description = "File holding the NATS password.")
  Path passwordFile;

  @Option(
      names = "--nats-token-file",
      paramLabel = "PATH",
      description = "File holding a NATS auth token.")
  Path tokenFile;

  @Option(
      names = "--nats-creds",
      paramLabel = "PATH",
      description = "NATS credentials file (JWT and nkey seed).")
  Path creds;

  @Option(
      names = "--nats-tls-truststore",
      paramLabel = "PATH",
      description = "Trust store (PKCS12 or JKS) with the CA of the NATS servers' certificates;"
          + " turns TLS on.")
  Path trustStore;

  @Option(
      names = "--nats-tls-truststore-password-file",
      paramLabel = "PATH",
      description = "File holding the trust store's password.")
  Path trustStorePasswordFile;

  @Option(
      names = "--replicas",
      paramLabel = "N",
      defaultValue = "1",
      description = "Replicas of the JOBS stream and the KV buckets, 1 to 5 (default: ${DEFAULT-VALUE}).")
  int replicas;

  @Option(
      names = "--nats-storage",
      paramLabel = "file|memory",
      defaultValue = "file",
      description = "Storage of the stream and buckets (default: ${DEFAULT-VALUE}).")
  String storage;

  @Option(
      names = "--job-ttl",
      paramLabel = "DURATION",
      defaultValue = "24h",
      description = "How long a job is kept after its last change, in NATS or in the embedded"
          + " broker; 0s keeps jobs for ever (default: ${DEFAULT-VALUE}).")
  String jobTtl;

  @Option(
      names = "--nats-max-bytes",
      paramLabel = "SIZE",
      defaultValue = "1g",
      description = "Storage osapi may take on each NATS server (bytes with k, m or g), shared"
          + " among its streams and buckets as their byte limits; the server must have that"
          + " much JetStream storage free. Owned by the controllers (default: ${DEFAULT-VALUE}).")
  String maxBytes;

  private static final java.util.regex.Pattern SIZE =
      java.util.regex.Pattern.compile("(\\d{1,12})([kmg]?)");

  /**
   * The NATS settings for these options.
   *
   * @param urls the {@code --nats} value: one URL or several separated by commas
   * @param connectionName the client name the server shows
   * @param worker the worker's delivery settings, for the shared consumers' defaults, or null
   * @param owner whether this process owns the bucket-wide settings (controllers, all-in-one):
   *     a worker adopts the streams' and buckets' settings as it finds them
   * @throws ConfigException naming the option at fault
   */
  NatsSettings toSettings(String urls, String connectionName, WorkerConfig worker,
      boolean owner) {
    NatsSettingsBuilder b = NatsSettings.builder().servers(parseUrls(urls))
        .connectionName(connectionName)
        .startupWait(STARTUP_WAIT)
        .owner(owner);
    if (user != null || passwordFile != null) {
      if (user == null) {
        throw new ConfigException("--nats-password-file", "needs --nats-user as well");
      }
      if (passwordFile == null) {
        throw new ConfigException("--nats-user", "needs --nats-password-file as well");
      }
      b.userPassword(user, Secret.readFile("--nats-password-file", passwordFile).value());
    }
    if (tokenFile != null) {
      if (user != null) {
        throw new ConfigException("--nats-token-file", "give either a token or a user, not both");
      }
      b.token(Secret.readFile("--nats-token-file", tokenFile).value());
    }
    if (creds != null) {
      if (user != null || tokenFile != null) {
        throw new ConfigException("--nats-creds", "give only one of user, token or creds");
      }
      requireReadable("--nats-creds", creds);
      Secret.requirePrivate("--nats-creds", creds);
      b.credsFile(creds);
    }
    if (trustStorePasswordFile != null && trustStore == null) {
      throw new ConfigException("--nats-tls-truststore-password-file",
          "needs --nats-tls-truststore as well");
    }
    if (trustStore != null) {
      requireReadable("--nats-tls-truststore", trustStore);
      String pw = trustStorePasswordFile == null ? null
          : Secret.readFile("--nats-tls-truststore-password-file", trustStorePasswordFile).value();
      b.trustStore(trustStore, pw);
    }
    layout(b);
    if (worker != null) {
      b.defaultDelivery(worker.ackWait(), worker.maxDeliver());
    }
    try {
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--nats", e.getMessage());
    }
  }

  /**
   * Checks the options when no {@code --nats} is given (the all-in-one process on the embedded
   * broker): layout values must still be valid, and connection options make no sense.
   *
   * @throws ConfigException naming the option at fault
   */
  void checkWithoutNats() {
    layout(NatsSettings.builder());
    String set = user != null ? "--nats-user"
        : passwordFile != null ? "--nats-password-file"
        : tokenFile != null ? "--nats-token-file"
        : creds != null ? "--nats-creds"
        : trustStore != null ? "--nats-tls-truststore"
        : trustStorePasswordFile != null ? "--nats-tls-truststore-password-file"
        : null;
    if (set != null) {
      throw new ConfigException(set, "is only used with --nats");
    }
  }

  private void layout(NatsSettingsBuilder b) {
    if (replicas < 1 || replicas > 5) {
      throw new ConfigException("--replicas", "must be between 1 and 5, got " + replicas);
    }
    b.replicas(replicas);
    b.storage(switch (storage.trim().toLowerCase(Locale.ROOT)) {
      case "file" -> NatsSettings.Storage.FILE;
      case "memory" -> NatsSettings.Storage.MEMORY;
      default -> throw new ConfigException("--nats-storage",
          "expected file or memory, got '" + storage + "'");
    });
    b.jobsTtl(jobTtl());
    b.maxBytes(maxBytes());
  }

  /** {@code --nats-max-bytes}: bytes, KiB, MiB or GiB, at least 8m. */
  long maxBytes() {
    String t = maxBytes == null ? "" : maxBytes.strip().toLowerCase(Locale.ROOT);
    java.util.regex.Matcher m = SIZE.matcher(t);
    if (!m.matches()) {
      throw new ConfigException("--nats-max-bytes", "'" + maxBytes + "' is not a size: use bytes"
          + " with k, m or g (like 512m)");
    }
    int shift = switch (m.group(2)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    long n = Long.parseLong(m.group(1));
    long bytes = n > (Long.MAX_VALUE >> shift) ? Long.MAX_VALUE : n << shift;
    if (bytes < (8L << 20)) {
      throw new ConfigException("--nats-max-bytes", "must be at least 8m, got " + maxBytes);
    }
    return bytes;
  }

  /** {@code --job-ttl}: how long jobs are kept, in NATS or in the embedded broker. */
  java.time.Duration jobTtl() {
    java.time.Duration ttl =
        Durations.parseAtMost("--job-ttl", jobTtl, java.time.Duration.ofDays(3650), "3650d");
    if (ttl.isNegative()) {
      throw new ConfigException("--job-ttl", "must not be negative");
    }
    return ttl;
  }

  static List<String> parseUrls(String text) {
    if (text == null || text.isBlank()) {
      throw new ConfigException("--nats", "expected a URL like nats://127.0.0.1:4222, got nothing");
    }
    List<String> out = new ArrayList<>();
    for (String part : text.split(",")) {
      String u = part.trim();
      URI uri;
      try {
        uri = URI.create(u);
      } catch (IllegalArgumentException e) {
        throw new ConfigException("--nats", "'" + u + "' is not a URL");
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("nats") || scheme.equals("tls"))) {
        throw new ConfigException(
            "--nats", "'" + u + "' is not a nats:// or tls:// URL (like nats://127.0.0.1:4222)");
      }
      if (uri.getHost() == null) {
        throw new ConfigException("--nats", "'" + u + "' has no host");
      }
      if (uri.getPort() > 65535) {
        throw new ConfigException("--nats", "'" + u + "' has a port over 65535");
      }
      out.add(u);
    }
    return out;
  }

  private static void requireReadable(String option, Path p) {
    if (!Files.isReadable(p)) {
      throw new ConfigException(option, "file " + p + " does not exist or cannot be read");
    }
  }
}
