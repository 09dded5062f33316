package io.osapi.core.operations;

import io.osapi.core.concurrent.DaemonThreads;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one command without a shell in a session of its own and ends all of it: at its exit (what
 * it left behind), at its timeout, when its run is cancelled, and when the running thread is
 * interrupted (a worker stopping); a {@link Lifeline} ends its process group should the JVM die first. Reads
 * stdout and stderr concurrently, keeping at most the cap of each and draining the rest, so a
 * chatty process never blocks.
 */
final class CommandRunner {
  /** The program that starts the command in a new session ({@code setsid(2)}). */
  static final Path SETSID = Path.of("/usr/bin/setsid");
  /** The {@code PATH} a command gets unless the job sets an allowed {@code PATH}. */
  static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

  private static final ThreadFactory IO = DaemonThreads.named("osapi-command-io");

  private final HostLimits limits;

  CommandRunner(HostLimits limits) {
    this.limits = limits;
  }

  /**
   * What to run.
   *
   * @param argv the program and its arguments (the program is looked up in the command's PATH)
   * @param cwd the working directory, or null for {@code /}
   * @param env environment variables the job sets (already checked against the allow-list)
   * @param stdin bytes for its standard input, or null for none (it reads end of file)
   * @param timeout how long it may run
   * @param cancel completes when the run is cancelled: then the run ends at once
   */
  record Spec(List<String> argv, Path cwd, Map<String, String> env, byte[] stdin,
      Duration timeout, CompletableFuture<Void> cancel) {}

  /**
   * What a run gave.
   *
   * @param exitCode the exit code (128 plus the signal's number when a signal ended it)
   * @param stdout the kept start of stdout
   * @param stderr the kept start of stderr
   * @param stdoutTruncated whether stdout had more than was kept
   * @param stderrTruncated whether stderr had more than was kept
   * @param duration from start to the leader's exit
   * @param timedOut whether it was ended at its timeout
   * @param cancelled whether it was ended by a cancel
   */
  record Outcome(int exitCode, String stdout, String stderr, boolean stdoutTruncated,
      boolean stderrTruncated, Duration duration, boolean timedOut, boolean cancelled) {}

  /**
   * Runs {@code spec} to its end and ends whatever it left running.
   *
   * @throws IOException when it cannot be started (the message says why)
   * @throws InterruptedException when the thread was interrupted; the run's processes are ended
   */
  Outcome run(Spec spec) throws IOException, InterruptedException {
    if (!Files.isExecutable(SETSID)) {
      throw new IOException("host operations need " + SETSID + " (util-linux) to start a command"
          + " in its own session; this host has none");
    }
    List<String> cmd = new ArrayList<>(spec.argv().size() + 2);
    cmd.add(SETSID.toString());
    cmd.add("--");
    cmd.addAll(spec.argv());
    ProcessBuilder pb = new ProcessBuilder(cmd);
    pb.directory(spec.cwd() == null ? new File("/") : spec.cwd().toFile());
    Map<String, String> env = pb.environment();
    env.clear();
    env.put("PATH", DEFAULT_PATH);
    env.putAll(spec.env());
    String marker = UUID.randomUUID().toString();
    env.put(ProcessTree.MARKER_NAME, marker);
    if (spec.stdin() == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    long t0 = System.nanoTime();
    Process p = pb.start();
    ProcessTree tree = new ProcessTree(p.pid(), marker);
    Lifeline lifeline;
    try {
      lifeline = Lifeline.start(p.pid(), limits.killGrace());
    } catch (IOException e) {
      tree.end(Duration.ZERO);
      throw new IOException("could not start the watchdog of the command: " + e.getMessage(), e);
    }
    Capture out = new Capture(p.getInputStream(), limits.outputCapBytes());
    Capture err = new Capture(p.getErrorStream(), limits.outputCapBytes());
    IO.newThread(out).start();
    IO.newThread(err).start();
    if (spec.stdin() != null) {
      IO.newThread(() -> feed(p.getOutputStream(), spec.stdin())).start();
    }
    boolean timedOut = false;
    boolean cancelled = false;
    Duration took;
    try {
      try {
        CompletableFuture.anyOf(p.onExit(), spec.cancel())
            .get(spec.timeout().toNanos(), TimeUnit.NANOSECONDS);
        cancelled = p.isAlive() && spec.cancel().isDone();
      } catch (TimeoutException e) {
        timedOut = true;
      } catch (ExecutionException e) {
        throw new IOException("waiting for the command failed: " + e.getCause(), e.getCause());
      }
      took = Duration.ofNanos(System.nanoTime() - t0);
    } finally {
      // the timeout, a cancel, an interrupt, or what the command left behind: the whole run
      // ends here
      tree.end(limits.killGrace());
      if (p.isAlive()) {
        p.destroyForcibly();
      }
      lifeline.close();
    }
    p.waitFor();
    // every writer is gone: the readers see end of file at once, unless a process escaped
    Duration wait = limits.killGrace().plusSeconds(2);
    out.await(wait);
    err.await(wait);
    return new Outcome(p.exitValue(), out.text(), err.text(), out.truncated(), err.truncated(),
        took, timedOut, cancelled);
  }

  private static void feed(OutputStream in, byte[] bytes) {
    try (OutputStream o = in) {
      o.write(bytes);
    } catch (IOException e) {
      // it closed its stdin or ended before reading it all
    }
  }

  /** Reads one stream to its end, keeping the first {@code cap} bytes. */
  private static final class Capture implements Runnable {
    private final InputStream in;
    private final int cap;
    private final ByteArrayOutputStream kept = new ByteArrayOutputStream();
    private final CountDownLatch done = new CountDownLatch(1);
    private boolean truncated;

    Capture(InputStream in, int cap) {
      this.in = in;
      this.cap = cap;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try (InputStream i = in) {
        int n;
        while ((n = i.read(buf)) >= 0) {
          synchronized (this) {
            int room = cap - kept.size();
            if (n > room) {
              truncated = true;
            }
            if (room > 0) {
              kept.write(buf, 0, Math.min(n, room));
            }
          }
        }
      } catch (IOException e) {
        // the stream was closed: keep what was read
      } finally {
        done.countDown();
      }
    }

    void await(Duration d) throws InterruptedException {
      done.await(d.toMillis(), TimeUnit.MILLISECONDS);
    }

    synchronized String text() {
      return kept.toString(StandardCharsets.UTF_8);
    }

    synchronized boolean truncated() {
      return truncated;
    }
  }
}
