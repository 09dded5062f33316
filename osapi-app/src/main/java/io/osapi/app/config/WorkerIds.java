package io.osapi.app.config;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.Names;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

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
   * Makes a worker id from a host name: the first DNS label is kept when the whole name is too
   * long, characters outside {@code [A-Za-z0-9._-]} become {@code -}, it is lowercased, leading
   * non-alphanumerics are dropped and it is cut to 64 characters.
   *
   * @return a valid worker id, {@code worker} when nothing usable is left
   */
  public static String fromHostName(String host) {
    if (host == null) {
      return "worker";
    }
    String h = host.trim().toLowerCase(Locale.ROOT);
    if (h.length() > MAX && h.indexOf('.') > 0) {
      h = h.substring(0, h.indexOf('.'));
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < h.length() && sb.length() < MAX; i++) {
      char c = h.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
          || c == '-';
      if (sb.length() == 0 && !(ok && Character.isLetterOrDigit(c))) {
        continue;
      }
      sb.append(ok ? c : '-');
    }
    String id = sb.toString();
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
