package io.osapi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A JVM process's CPU time by what its threads do, from {@code /proc/PID/task/TID/stat} (the
 * thread's name is its {@code comm}, cut to 15 characters): {@code http} (the API's connection and
 * request threads), {@code nats} (jnats' reader, writer and dispatcher threads and the NATS
 * adapter's), {@code jit} (the compiler threads), {@code gc+vm} (the collector's and the VM's own
 * threads) and {@code other}; threads that ended between two readings count as {@code ended}. So
 * a CPU figure per request can say how much of it is the JIT still compiling.
 */
final class ThreadCpu {
  static final String[] GROUPS = {"http", "nats", "jit", "gc+vm", "other", "ended"};

  private final Map<Long, long[]> byThread; // tid -> {group index, cpu ns}
  private final long total;

  private ThreadCpu(Map<Long, long[]> byThread, long total) {
    this.byThread = byThread;
    this.total = total;
  }

  /** The process's threads now. */
  static ThreadCpu of(long pid) {
    Map<Long, long[]> m = new LinkedHashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      tasks.forEach(t -> {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          long ns = (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
          m.put(Long.parseLong(t.getFileName().toString()), new long[] {group(comm), ns});
        } catch (IOException | RuntimeException e) {
          // the thread ended meanwhile
        }
      });
    } catch (IOException e) {
      // the process is gone
    }
    return new ThreadCpu(m, ProcStat.cpuNanos(pid));
  }

  private static int group(String comm) {
    if (comm.startsWith("osapi-api") || comm.startsWith("HTTP-Dispatcher")) {
      return 0;
    }
    if (comm.startsWith("osapi-controlle") || comm.startsWith("osapi-nats") || comm.startsWith(
        "NATS") || comm.startsWith("nats")) {
      return 1;
    }
    if (comm.contains("CompilerThre")) {
      return 2;
    }
    if (comm.startsWith("GC Thread") || comm.startsWith("VM ") || comm.startsWith("ParGC")
        || comm.startsWith("G1")) {
      return 3;
    }
    return 4;
  }

  /** CPU ns so far of the threads alive now in group {@code g} ({@link #GROUPS}' index). */
  long group(int g) {
    long sum = 0;
    for (long[] t : byThread.values()) {
      if (t[0] == g) {
        sum += t[1];
      }
    }
    return sum;
  }

  /** CPU ns per group from {@code before} to this reading, in {@link #GROUPS}' order. */
  long[] since(ThreadCpu before) {
    long[] out = new long[GROUPS.length];
    long seen = addSince(byThread, before.byThread, out);
    out[GROUPS.length - 1] = Math.max(0, total - before.total - seen);
    return out;
  }

  /**
   * Adds each thread's CPU ns from {@code before} to {@code now} (both: thread id -> {group, cpu
   * ns}) to {@code out[group]}; a thread new since {@code before} counts from 0. Returns the sum.
   */
  static long addSince(Map<Long, long[]> now, Map<Long, long[]> before, long[] out) {
    long seen = 0;
    for (Map.Entry<Long, long[]> e : now.entrySet()) {
      long[] was = before.get(e.getKey());
      long d = e.getValue()[1] - (was == null ? 0 : was[1]);
      out[(int) e.getValue()[0]] += d;
      seen += d;
    }
    return seen;
  }

  /** {@code http 123 us, nats 45 us, ...}: the groups' CPU per {@code n} requests. */
  static String perRequest(long[] ns, long n) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < GROUPS.length; i++) {
      b.append(i == 0 ? "" : ", ").append(GROUPS[i]).append(' ')
          .append(Math.round(ns[i] / 1e3 / Math.max(1, n))).append(" us");
    }
    return b.toString();
  }
}
