package io.osapi.core.operations;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The processes of one command run, found in {@code /proc} and ended together: the session (and
 * process group) its leader made with {@code setsid}, the leader's descendants, and every process
 * whose environment still holds the run's marker variable, which catches a grandchild that made
 * its own session ({@code setsid}, a double fork) without clearing its environment. What is not
 * covered: a process that both left the session and cleared its environment (or left through a
 * service manager such as {@code systemd-run}, which is the way to start a daemon on purpose).
 *
 * <p>Signals go through {@link ProcessHandle}, which checks a process's start time before it
 * signals, so a reused pid is never hit. A session or group id is matched only while its pid
 * still belongs to the leader or to no live process (Linux keeps an id in use while any process
 * carries it, so a match is then one of ours).
 */
final class ProcessTree {
  /** The variable that marks every process of a run, {@code OSAPI_RUN=<random id>}. */
  static final String MARKER_NAME = "OSAPI_RUN";

  private final long leader;
  private final String leaderStart;
  private final byte[] marker;

  /**
   * @param leader the pid of the session leader (its pid is its session and group id)
   * @param markerValue the value of {@link #MARKER_NAME} in the run's environment
   */
  ProcessTree(long leader, String markerValue) {
    this.leader = leader;
    this.leaderStart = stat(leader).map(Stat::start).orElse(null);
    this.marker = (MARKER_NAME + "=" + markerValue).getBytes(StandardCharsets.UTF_8);
  }

  /** The leader's pid (its session and process group id). */
  long leader() {
    return leader;
  }

  /** The live (not zombie) processes of the run, the leader included while it lives. */
  List<ProcessHandle> members() {
    Set<Long> pids = new LinkedHashSet<>();
    Optional<ProcessHandle> lead = ProcessHandle.of(leader);
    lead.ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
    Optional<Stat> leaderNow = stat(leader);
    boolean idsAreOurs = leaderNow.isEmpty() || leaderNow.get().start().equals(leaderStart);
    long self = ProcessHandle.current().pid();
    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path p : ds) {
        long pid;
        try {
          pid = Long.parseLong(p.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        if (pid == self) {
          continue;
        }
        Optional<Stat> s = stat(pid);
        if (s.isEmpty() || s.get().zombie()) {
          continue;
        }
        if (idsAreOurs && (s.get().session() == leader || s.get().group() == leader)) {
          pids.add(pid);
        } else if (hasMarker(p)) {
          pids.add(pid);
        }
      }
    } catch (IOException e) {
      // no /proc: the descendants are all we know
    }
    List<ProcessHandle> out = new ArrayList<>();
    for (long pid : pids) {
      Optional<Stat> s = stat(pid);
      if (s.isPresent() && !s.get().zombie()) {
        ProcessHandle.of(pid).ifPresent(out::add);
      }
    }
    return out;
  }

  /**
   * Ends every process of the run: SIGTERM, then SIGKILL to whatever is left after {@code grace}
   * (looked at again until none is left, so that a process forking during the end is caught).
   * Keeps the thread's interrupt status; an interrupt only shortens the grace.
   *
   * @return how many processes were signalled
   */
  int end(Duration grace) {
    List<ProcessHandle> first = members();
    if (first.isEmpty()) {
      return 0;
    }
    Set<Long> signalled = new LinkedHashSet<>();
    for (ProcessHandle h : first) {
      h.destroy();
      signalled.add(h.pid());
    }
    boolean interrupted = Thread.interrupted();
    long deadline = System.nanoTime() + grace.toNanos();
    try {
      while (!interrupted && System.nanoTime() < deadline) {
        List<ProcessHandle> left = members();
        if (left.isEmpty()) {
          return signalled.size();
        }
        left.forEach(h -> {
          if (signalled.add(h.pid())) {
            h.destroy(); // forked after the first look
          }
        });
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      for (int i = 0; i < 500; i++) {
        List<ProcessHandle> left = members();
        if (left.isEmpty()) {
          break;
        }
        for (ProcessHandle h : left) {
          h.destroyForcibly();
          signalled.add(h.pid());
        }
        try {
          Thread.sleep(10);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      return signalled.size();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private boolean hasMarker(Path proc) {
    byte[] env;
    try {
      env = Files.readAllBytes(proc.resolve("environ"));
    } catch (IOException | RuntimeException e) {
      return false;
    }
    // one NUL-separated variable equal to the marker
    for (int i = 0; i + marker.length <= env.length; i++) {
      if ((i == 0 || env[i - 1] == 0)
          && (i + marker.length == env.length || env[i + marker.length] == 0)
          && java.util.Arrays.equals(env, i, i + marker.length, marker, 0, marker.length)) {
        return true;
      }
    }
    return false;
  }

  /** The fields of {@code /proc/PID/stat} used here. */
  record Stat(char state, long group, long session, String start) {
    boolean zombie() {
      return state == 'Z' || state == 'X';
    }
  }

  /** The stat of {@code pid}, or empty when it is gone. */
  static Optional<Stat> stat(long pid) {
    String text;
    try {
      text = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
    // pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime
    // stime cutime cstime priority nice num_threads itrealvalue starttime ...
    int close = text.lastIndexOf(')');
    if (close < 0) {
      return Optional.empty();
    }
    String[] f = text.substring(close + 2).trim().split(" ");
    if (f.length < 20) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Stat(f[0].charAt(0), Long.parseLong(f[2]), Long.parseLong(f[3]),
          f[19]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
