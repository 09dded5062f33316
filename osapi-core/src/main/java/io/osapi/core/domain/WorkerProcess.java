package io.osapi.core.domain;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.UUID;

/**
 * Which process writes a worker's heartbeat: so that one worker id has one live process, and a
 * refused second one can be told which process holds the id.
 *
 * @param host the host name the process runs on
 * @param pid its process id on that host
 * @param instance a random token drawn when the worker starts: tells two starts apart even in one
 *     process
 */
public record WorkerProcess(String host, long pid, String instance) {
  /** The instances drawn in this JVM. */
  private static final Set<String> DRAWN_HERE = ConcurrentHashMap.newKeySet();

  /** Checks for nulls and blanks. */
  public WorkerProcess {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(instance, "instance");
    if (host.isBlank() || instance.isBlank()) {
      throw new IllegalArgumentException("host and instance must not be blank");
    }
    if (host.length() > 255 || instance.length() > 64) {
      throw new IllegalArgumentException("host or instance too long");
    }
  }

  /** This JVM on this host, with a new instance token. */
  public static WorkerProcess current() {
    String instance = UUID.randomUUID().toString();
    DRAWN_HERE.add(instance);
    return new WorkerProcess(localHost(), ProcessHandle.current().pid(), instance);
  }

  /**
   * True when this entry's process certainly no longer runs, seen from {@code me}: it ran on the
   * same host, and either under another process id that no process has now (a worker restarted
   * after a crash on its host finds its own old entry so), or under {@code me}'s own process id
   * without having been started in this JVM (a container restarted in place, its worker pid 1
   * again). A process on another host is never known to be gone: its entry has to expire.
   */
  public boolean gone(WorkerProcess me) {
    if (!host.equals(me.host)) {
      return false;
    }
    return pid != me.pid ? ProcessHandle.of(pid).isEmpty() : !DRAWN_HERE.contains(instance);
  }

  /** {@code host web01 pid 4242}. */
  public String describe() {
    return "host " + host + " pid " + pid;
  }

  private static String localHost() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (Exception e) {
      String env = System.getenv("HOSTNAME");
      return env == null || env.isBlank() ? "unknown" : env;
    }
  }
}
