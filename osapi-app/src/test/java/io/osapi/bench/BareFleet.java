package io.osapi.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link BareWorker} processes (the worker design's floor, scripts/bench-rest.sh), each in its own
 * JVM, with the runs they have ended so far read from what they print.
 */
final class BareFleet implements AutoCloseable {
  private final List<Process> processes = new ArrayList<>();
  private final List<AtomicLong> ended = new ArrayList<>();

  private BareFleet() {}

  /** {@code n} bare workers of {@code concurrency} runs each on {@code natsUrl}, once ready. */
  static BareFleet start(String natsUrl, int n, int concurrency) throws Exception {
    return start(natsUrl, n, concurrency, "");
  }

  /** The same, leaving out what {@code without} names (see {@link BareWorker}). */
  static BareFleet start(String natsUrl, int n, int concurrency, String without)
      throws Exception {
    BareFleet f = new BareFleet();
    try {
      for (int i = 1; i <= n; i++) {
        Process p = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseParallelGC", "-cp",
            System.getProperty("java.class.path"), BareWorker.class.getName(), natsUrl,
            Integer.toString(concurrency), "bare-w" + i, without).redirectErrorStream(true).start();
        f.processes.add(p);
        AtomicLong count = new AtomicLong(-1);
        f.ended.add(count);
        Thread reader = new Thread(() -> {
          try (BufferedReader r = new BufferedReader(
              new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
              if (line.startsWith("ended ")) {
                count.set(Long.parseLong(line.substring(6).trim()));
              } else if (!line.equals("ready")) {
                System.err.println("bare worker " + p.pid() + ": " + line);
              }
            }
          } catch (Exception e) {
            // the process ended
          }
        }, "bare-fleet-reader");
        reader.setDaemon(true);
        reader.start();
      }
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (f.ended.stream().anyMatch(c -> c.get() < 0)) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("bare workers did not start");
        }
        Thread.sleep(50);
      }
      return f;
    } catch (Exception e) {
      f.close();
      throw e;
    }
  }

  /** Runs ended by all of them so far. */
  long ended() {
    return ended.stream().mapToLong(AtomicLong::get).sum();
  }

  /** Waits until they have ended {@code n} runs in all. */
  void awaitEnded(long n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (ended() < n) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("bare workers ended " + ended() + " runs of " + n);
      }
      Thread.sleep(20);
    }
  }

  /** Their CPU time so far. */
  long cpuNanos() {
    return RestBench.cpuNanos(processes);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      p.destroyForcibly();
    }
    for (Process p : processes) {
      p.waitFor();
    }
  }
}
