package io.osapi.app.config;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Names;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * The default worker id: this host's name, made into a valid worker id. It is the same on every
 * start of the same host, so the worker keeps its durable consumers and registry entry.
 */
public final class WorkerIds {
  private static final int MAX = 64;

  private WorkerIds() {}

  /** The default id of a worker on this host; {@code worker} when no host name can be found. */
  public static String defaultId() {
    return fromHostName(hostName());
  }

  /**
   * Makes a worker id from a host name: it is lowercased, characters outside {@code [a-z0-9._-]}
   * become {@code -}, empty dot-separated parts are dropped (the root's trailing dot of a fully
   * qualified name such as {@code web02.example.com.}, a leading dot, {@code ..}), leading
   * characters that are not a letter or digit are dropped, the first DNS label alone is kept when
   * the whole name is longer than 64 characters, and it is cut to 64 characters without a trailing
   * dot. The result always passes {@link Names#requireWorkerId}.
   *
   * @return a valid worker id, {@code worker} when nothing usable is left
   */
  public static String fromHostName(String host) {
    if (host == null) {
      return "worker";
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    StringBuilder mapped = new StringBuilder(h.length());
    for (int i = 0; i < h.length(); i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-';
      mapped.append(ok ? c : '-');
    }
    StringJoiner parts = new StringJoiner(".");
    for (String part : mapped.toString().split("\\.")) {
      if (!part.isEmpty()) {
        parts.add(part);
      }
    }
    String id = parts.toString().replaceFirst("^[^a-z0-9]+", "");
    if (id.length() > MAX && id.indexOf('.') > 0) {
      id = id.substring(0, id.indexOf('.'));
    }
    if (id.length() > MAX) {
      id = id.substring(0, MAX);
    }
    while (id.endsWith(".")) {
      id = id.substring(0, id.length() - 1);
    }
    try {
      return Names.requireWorkerId("worker-id", id);
    } catch (InvalidInputException e) {
      return "worker";
    }
  }

  private static String hostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      Path etc = Path.of("/etc/hostname");
      if (Files.isReadable(etc)) {
        String s = Files.readString(etc).trim();
        if (!s.isEmpty()) {
          return s;
        }
      }
    } catch (IOException e) {
      // fall through to the resolver
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return null;
    }
  }
}
