package io.osapi.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * This JVM's CPU time by the role of its threads, read at a run's first submit and at its last
 * completion, so A, P, B and C can be compared role by role: jnats' {@code writer}, {@code reader}
 * and {@code dispatcher} threads (told apart by the runner at the bottom of their stacks: jnats
 * names them all after the connection), the workers' run {@code pool} ({@code osapi-job-*},
 * {@code raw-run-*}), the other Java threads, the JIT compiler's ({@code jit}) and the
 * collector's and VM's own threads ({@code gc+vm}; read from {@code /proc}, they are not Java
 * threads), and the rest of the process's CPU: threads that {@code ended} in between (a run's
 * producers, which end before its last completion).
 */
final class ThreadRoles {
  static final String[] ROLES = {"writer", "reader", "dispatcher", "pool", "other", "jit", "gc+vm",
      "ended"};

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Map<Long, long[]> byThread; // thread id -> {role, cpu ns}
  private final ThreadCpu vm; // the compiler's, the collector's and the VM's threads
  private final long process;

  private ThreadRoles(Map<Long, long[]> byThread, ThreadCpu vm, long process) {
    this.byThread = byThread;
    this.vm = vm;
    this.process = process;
  }

  /** This JVM's threads now. */
  static ThreadRoles now() {
    long process = NatsServerProcess.jvmCpuNanos();
    Map<Long, long[]> m = new HashMap<>();
    for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds(), Integer.MAX_VALUE)) {
      if (t == null) {
        continue; // ended meanwhile
      }
      long cpu = THREADS.getThreadCpuTime(t.getThreadId());
      if (cpu >= 0) {
        m.put(t.getThreadId(), new long[] {role(t), cpu});
      }
    }
    return new ThreadRoles(m, ThreadCpu.of(ProcessHandle.current().pid()), process);
  }

  private static int role(ThreadInfo t) {
    String name = t.getThreadName();
    if (name.startsWith("osapi-job") || name.startsWith("raw-run")) {
      return 3;
    }
    StackTraceElement[] stack = t.getStackTrace();
    for (int i = stack.length - 1; i >= 0; i--) {
      String c = stack[i].getClassName();
      if (c.startsWith("io.nats.client.impl.NatsConnectionWriter")) {
        return 0;
      }
      if (c.startsWith("io.nats.client.impl.NatsConnectionReader")) {
        return 1;
      }
      if (c.startsWith("io.nats.client.impl.NatsDispatcher")) {
        return 2;
      }
    }
    return 4;
  }

  /** CPU ns per role from {@code before} to this reading, in {@link #ROLES}' order. */
  long[] since(ThreadRoles before) {
    long[] out = new long[ROLES.length];
    long java = ThreadCpu.addSince(byThread, before.byThread, out);
    long[] vmSince = vm.since(before.vm);
    out[5] = vmSince[2];
    out[6] = vmSince[3];
    out[7] = Math.max(0, process - before.process - java - out[5] - out[6]);
    return out;
  }

  /** {@code writer 40 us, reader 17 us, ...}: per job of {@code jobs}. */
  static String perJob(long[] ns, long jobs) {
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < ROLES.length; i++) {
      b.append(i == 0 ? "" : ", ").append(ROLES[i]).append(' ')
          .append(String.format(Locale.ROOT, "%.1f", ns[i] / 1e3 / jobs)).append(" us");
    }
    return b.toString();
  }
}
