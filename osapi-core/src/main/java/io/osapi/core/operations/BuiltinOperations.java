package io.osapi.core.operations;

import io.osapi.core.domain.InvalidInputException;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationDefinition;
import io.osapi.core.domain.OperationFailedException;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.internal.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.FileStore;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The operations every osapi worker knows: read-only {@code system.*.get} queries with real values
 * from the JDK and {@code /proc}, {@code diag.*} operations for operators and load tests, and the
 * privileged host operations {@code command.exec}, {@code shell.exec}, {@code file.deploy} and
 * {@code file.get} (see {@link OperationDefinition#privileged()}: a worker runs them only when its
 * owner allows them).
 */
public final class BuiltinOperations {
  /** Longest {@code diag.sleep} accepted, in seconds. */
  public static final double MAX_SLEEP_SECONDS = 300;

  private BuiltinOperations() {}

  /** A registry with every built-in operation, host operations with {@link HostLimits#defaults()}. */
  public static OperationRegistry registry() {
    return builder().build();
  }

  /** A registry with every built-in operation, host operations within {@code limits}. */
  public static OperationRegistry registry(HostLimits limits) {
    return builder(limits).build();
  }

  /**
   * A builder holding every built-in operation (host operations with {@link HostLimits#defaults()}),
   * to add your own to.
   */
  public static OperationRegistry.Builder builder() {
    return builder(HostLimits.defaults());
  }

  /** A builder holding every built-in operation, host operations within {@code limits}. */
  public static OperationRegistry.Builder builder(HostLimits limits) {
    CommandOperations commands = new CommandOperations(limits);
    FileOperations files = new FileOperations();
    return OperationRegistry.builder()
        .register("system.hostname.get", OperationKind.QUERY, "host name and worker labels",
            BuiltinOperations::hostname)
        .register("system.uptime.get", OperationKind.QUERY, "seconds since boot",
            c -> Json.write(uptime()))
        .register("system.load.get", OperationKind.QUERY, "load averages from /proc/loadavg",
            c -> Json.write(load()))
        .register("system.memory.get", OperationKind.QUERY, "memory from /proc/meminfo",
            c -> Json.write(memory()))
        .register("system.disk.get", OperationKind.QUERY, "usage of mounted file systems",
            c -> Json.write(Map.of("disks", disks())))
        .register("system.os.get", OperationKind.QUERY, "operating system name and version",
            c -> Json.write(os()))
        .register("system.status.get", OperationKind.QUERY, "hostname, os, uptime, load, memory, disks",
            BuiltinOperations::status)
        // the two that never block run where their claim's answer arrives (OperationExecution)
        .registerInline("diag.echo", OperationKind.QUERY, "returns its data",
            c -> c.operation().data())
        .register("diag.sleep", OperationKind.QUERY,
            "sleeps {\"seconds\": x} (at most " + (int) MAX_SLEEP_SECONDS + "), then fails on"
                + " workers labelled as {\"fail_on_label\": \"key=value\"} says",
            BuiltinOperations::sleep)
        .registerInline("diag.fail", OperationKind.QUERY, "always fails, permanently",
            c -> {
              Object msg = c.dataObject().get("message");
              throw new IllegalStateException(msg == null ? "diag.fail was asked to fail" : msg.toString());
            })
        .registerPrivileged("command.exec", OperationKind.MODIFY,
            "runs {\"argv\": [...]} without a shell, in its own session, with a timeout",
            commands::command)
        .registerPrivileged("shell.exec", OperationKind.MODIFY,
            "runs {\"script\": \"...\"} with a shell (default /bin/sh), like command.exec",
            commands::shell)
        .registerPrivileged("file.deploy", OperationKind.MODIFY,
            "writes a file atomically when its content, mode or owners differ",
            files::deploy)
        .registerPrivileged("file.get", OperationKind.QUERY,
            "reads a file (base64, at most max_bytes) with its sha256, mode and owners",
            files::get);
  }

  private static String hostname(OperationContext c) throws IOException {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("hostname", InetAddress.getLocalHost().getHostName());
    m.put("worker_id", c.workerId());
    m.put("labels", c.labels());
    return Json.write(m);
  }

  private static String sleep(OperationContext c) throws Exception {
    Object s = c.dataObject().get("seconds");
    if (!(s instanceof Number n)) {
      throw new InvalidInputException("seconds", "diag.sleep needs {\"seconds\": number}");
    }
    double seconds = new BigDecimal(n.toString()).doubleValue();
    if (!(seconds >= 0 && seconds <= MAX_SLEEP_SECONDS)) {
      throw new InvalidInputException(
          "seconds", "diag.sleep seconds must be between 0 and " + (int) MAX_SLEEP_SECONDS);
    }
    long ms = (long) (seconds * 1000);
    long t0 = System.nanoTime();
    try {
      c.whenCancelled().get(ms, TimeUnit.MILLISECONDS); // returns at once when cancelled
    } catch (TimeoutException e) {
      failOnLabel(c);
      return Json.write(Map.of("slept_seconds", seconds));
    }
    double slept = (System.nanoTime() - t0) / 1e9;
    throw new OperationFailedException("diag.sleep was cancelled after "
        + Math.round(slept * 1000) / 1000.0 + " s", null);
  }

  /**
   * {@code "fail_on_label": "key=value"}: fails the run (for good) on a worker with that label
   * once the sleep is over, for trying rolling broadcasts on part of a fleet.
   */
  private static void failOnLabel(OperationContext c) throws OperationFailedException {
    Object l = c.dataObject().get("fail_on_label");
    if (l instanceof String label && label.indexOf('=') > 0) {
      String key = label.substring(0, label.indexOf('='));
      if (label.substring(key.length() + 1).equals(c.labels().get(key))) {
        throw new OperationFailedException("diag.sleep was asked to fail on workers labelled "
            + label, null);
      }
    }
  }

  private static String status(OperationContext c) {
    Map<String, Object> m = new LinkedHashMap<>();
    try {
      m.put("hostname", InetAddress.getLocalHost().getHostName());
    } catch (IOException e) {
      m.put("hostname", null);
    }
    m.put("os", os());
    m.put("uptime", safe(BuiltinOperations::uptime));
    m.put("load", safe(BuiltinOperations::load));
    m.put("memory", safe(BuiltinOperations::memory));
    m.put("disks", safe(BuiltinOperations::disks));
    return Json.write(m);
  }

  private interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static Object safe(IoSupplier<?> s) {
    try {
      return s.get();
    } catch (IOException | RuntimeException e) {
      return Map.of("error", String.valueOf(e.getMessage()));
    }
  }

  static Map<String, Object> uptime() throws IOException {
    Path p = Path.of("/proc/uptime");
    if (!Files.isReadable(p)) {
      throw new IOException("uptime needs /proc/uptime (Linux); this platform has none");
    }
    double secs = Double.parseDouble(Files.readString(p).trim().split("\\s+")[0]);
    return Map.of("uptime_seconds", secs);
  }

  static Map<String, Object> load() throws IOException {
    Path p = Path.of("/proc/loadavg");
    if (Files.isReadable(p)) {
      String[] f = Files.readString(p).trim().split("\\s+");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("load1", Double.parseDouble(f[0]));
      m.put("load5", Double.parseDouble(f[1]));
      m.put("load15", Double.parseDouble(f[2]));
      return m;
    }
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    if (l < 0) {
      throw new IOException("load averages are not available on this platform");
    }
    return Map.of("load1", l);
  }

  static Map<String, Object> memory() throws IOException {
    Path p = Path.of("/proc/meminfo");
    if (!Files.isReadable(p)) {
      throw new IOException("memory needs /proc/meminfo (Linux); this platform has none");
    }
    Map<String, Long> kb = new LinkedHashMap<>();
    for (String line : Files.readAllLines(p)) {
      String[] f = line.split("[:\\s]+");
      if (f.length >= 2) {
        try {
          kb.put(f[0], Long.parseLong(f[1]));
        } catch (NumberFormatException ignored) {
          // not a number line
        }
      }
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("total_bytes", kb.getOrDefault("MemTotal", 0L) * 1024);
    m.put("free_bytes", kb.getOrDefault("MemFree", 0L) * 1024);
    m.put("available_bytes", kb.getOrDefault("MemAvailable", 0L) * 1024);
    m.put("cached_bytes", kb.getOrDefault("Cached", 0L) * 1024);
    return m;
  }

  static List<Object> disks() throws IOException {
    List<Object> out = new ArrayList<>();
    for (FileStore fs : FileSystems.getDefault().getFileStores()) {
      try {
        long total = fs.getTotalSpace();
        if (total <= 0) {
          continue;
        }
        String type = fs.type();
        if (type.equals("proc") || type.equals("sysfs") || type.equals("cgroup2")
            || type.equals("devtmpfs")) {
          continue;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", fs.toString());
        m.put("type", type);
        m.put("total_bytes", total);
        m.put("used_bytes", total - fs.getUnallocatedSpace());
        m.put("free_bytes", fs.getUsableSpace());
        out.add(m);
      } catch (IOException e) {
        // a mount we may not read: skip it
      }
    }
    return out;
  }

  static Map<String, Object> os() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", System.getProperty("os.name"));
    m.put("version", System.getProperty("os.version"));
    m.put("arch", System.getProperty("os.arch"));
    Path release = Path.of("/etc/os-release");
    if (Files.isReadable(release)) {
      try {
        for (String line : Files.readAllLines(release)) {
          if (line.startsWith("PRETTY_NAME=")) {
            m.put("distribution", line.substring(12).replace("\"", ""));
          }
        }
      } catch (IOException e) {
        // keep what the JDK knows
      }
    }
    return m;
  }
}
