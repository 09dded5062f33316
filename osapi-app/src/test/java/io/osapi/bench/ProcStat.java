package io.osapi.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of processes from {@code /proc/PID/stat} (100 ticks a second), 0 without /proc: the
 * one place the benches read it.
 */
final class ProcStat {
  private ProcStat() {}

  /** utime + stime of process {@code pid} so far. */
  static long cpuNanos(long pid) {
    return ticks(Long.toString(pid), 11);
  }

  /** cutime + cstime of this process: its ended and waited-for children (wrk). */
  static long childrenCpuNanos() {
    return ticks("self", 13);
  }

  /** Fields {@code first} and {@code first + 1} after the command name, summed, in nanoseconds. */
  private static long ticks(String pid, int first) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[first]) + Long.parseLong(f[first + 1])) * 10_000_000L;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }
}
