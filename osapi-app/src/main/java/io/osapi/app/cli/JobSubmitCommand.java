package io.osapi.app.cli;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.osapi.app.api.ApiJson;
import io.osapi.app.api.ApiModel.CreatedJob;
import io.osapi.app.api.ApiModel.JobDetail;
import io.osapi.app.client.ClientTracing;
import io.osapi.app.client.ControllerClient;
import io.osapi.core.domain.TraceContext;
import io.osapi.core.port.JobSpan;
import picocli.CommandLine.Mixin;
import io.osapi.app.client.ControllerException;
import io.osapi.app.config.ConfigException;
import io.osapi.app.config.Durations;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code osapi-app job submit}: creates a job, optionally waiting for it to end. */
@Command(
    name = "submit",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    description = "Creates a job. With --wait, shows each status change (and, for a broadcast job,"
        + " each expected worker as it answers) until the job ends, then the workers and a"
        + " summary; exits 1 if it did not complete.")
public final class JobSubmitCommand extends ClientCommand {
  private static final Set<String> TERMINAL = Set.of("completed", "failed", "partial_failure",
      "cancelled");
  private static final long POLL_MS = 200;

  @Option(names = "--type", paramLabel = "TYPE",
      description = "The operation type, like system.hostname.get or diag.sleep (or --file).")
  String type;

  @Option(names = "--file", paramLabel = "FILE",
      description = "Submit the jobs of an NDJSON file instead: one create body per line, like"
          + " {\"operation\":{\"type\":\"diag.echo\"},\"target\":\"_any\"}; - reads stdin. Sent in"
          + " batches of up to 1000 jobs with a progress line; each job refused is named by its"
          + " line; exits 1 if any was.")
  String file;

  @Option(names = "--data", paramLabel = "JSON",
      description = "The operation's parameters, a JSON object like '{\"seconds\": 3}'.")
  String data;

  @Option(names = "--target", paramLabel = "TARGET",
      description = "_any (default), _all, a worker id, or key:value for a label.")
  String target;

  @Option(names = "--timeout", paramLabel = "SECONDS",
      description = "For a broadcast target: how long the expected workers have to answer,"
          + " 1 to 86400 (default: the controller's --job-timeout).")
  Long timeoutSeconds;

  @Option(names = "--batch-size", paramLabel = "N|P%",
      description = "A rolling broadcast (_all or a label target): release the job to at most N"
          + " workers (or P% of them) at a time, the next when a run ends.")
  String batchSize;

  @Option(names = "--pause-seconds", paramLabel = "SECONDS",
      description = "With --batch-size: wait this long after a run ends before the next release"
          + " (0 to 3600, default 0).")
  Long pauseSeconds;

  @Option(names = "--max-failures", paramLabel = "N",
      description = "With --batch-size: stop releasing (the rest end skipped) once more than N"
          + " released runs failed (default 0).")
  Long maxFailures;

  @Option(names = "--wait", description = "Wait until the job ends, showing its progress.")
  boolean waitForEnd;

  @Option(names = "--wait-timeout", paramLabel = "DURATION", defaultValue = "10m",
      description = "Give up waiting after this long (default: ${DEFAULT-VALUE}).")
  String waitTimeout;

  @Option(names = "--retry-for", paramLabel = "DURATION", defaultValue = "1m",
      description = "While the controller answers 503 with Retry-After (its job store is"
          + " unavailable), or its answer is lost, submit again (with the same Idempotency-Key)"
          + " after the time it asks for, for at most this long in all; 0s not to retry"
          + " (default: ${DEFAULT-VALUE}).")
  String retryFor;

  @Option(names = "--idempotency-key", paramLabel = "KEY",
      description = "The Idempotency-Key of the create (1 to 255 printable ASCII characters):"
          + " a submit with a key used before within the controller's --idempotency-window is"
          + " answered the first job (default: a new random key, sent again on this command's"
          + " own retries).")
  String idempotencyKey;

  @Mixin TracingOptions tracingOptions = new TracingOptions();

  /** Starts the command's span (set by the {@link Cli}; none in tests that build it alone). */
  ClientTracing tracing = ClientTracing.none();

  @Override
  int run(ControllerClient c) throws Exception {
    if (file != null) {
      if (type != null || data != null || target != null || timeoutSeconds != null
          || waitForEnd || batchSize != null) {
        throw new ConfigException("--file", "the jobs of --file say their type, data, target and"
            + " timeout themselves: give none of --type, --data, --target, --timeout,"
            + " --batch-size, --wait");
      }
      return new BatchSubmit(c, out(), err(), json()).run(file);
    }
    if (type == null) {
      throw new ConfigException("--type", "give the operation type (--type), or --file");
    }
    String key = idempotencyKey == null ? java.util.UUID.randomUUID().toString() : idempotencyKey;
    try {
      new io.osapi.core.domain.IdempotencyKey(key);
    } catch (io.osapi.core.domain.InvalidInputException e) {
      throw new ConfigException("--idempotency-key", e.getMessage());
    }
    JsonNode dataNode = parseData(data);
    Duration timeout = Durations.parsePositive("--wait-timeout", waitTimeout);
    Duration retryBound = Durations.parseAtMost("--retry-for", retryFor, Duration.ofHours(1), "1h");
    // the root of the job's trace when tracing is configured; ended (exported) once submitted
    JobSpan span = tracing.start("job submit", tracingOptions.settings());
    CreatedJob created;
    try {
      created = submitRetrying(c, dataNode, retryBound, span.context(), key);
    } catch (RuntimeException e) {
      span.failed(e.getMessage());
      throw e;
    } finally {
      span.end();
    }
    // the trace this command started (a controller that traces on its own shows its trace id in
    // the answer's trace_id and in job get)
    String traceId = span.context() == null ? null : span.context().traceId();
    if (!waitForEnd) {
      if (json()) {
        printJson(created);
      } else {
        out().println("job " + created.jobId() + " submitted");
        if (traceId != null) {
          out().println("trace_id: " + traceId);
        }
        out().flush();
      }
      return 0;
    }
    if (traceId != null && !json()) {
      out().println("trace_id: " + traceId);
    }
    PrintWriter progress = json() ? err() : out();
    progress.println(stamp() + "  submitted   job " + created.jobId() + " (" + type + ")");
    progress.flush();
    JobDetail d = waitForEnd(c, created.jobId(), timeout, progress);
    if (d == null) {
      err().println("osapi-app: job " + created.jobId() + " did not end within "
          + Durations.format(timeout) + " (see: osapi-app job get " + created.jobId() + ")");
      err().flush();
      return 1;
    }
    if (json()) {
      printJson(d);
    } else {
      if (WorkerResults.broadcast(d)) {
        WorkerResults.print(d, out());
      }
      if (d.result() != null) {
        out().println("result: " + ApiJson.mapper().writeValueAsString(d.result()));
      }
      if (d.error() != null) {
        out().println("error:  " + TerminalText.oneLine(d.error()));
      }
      out().flush();
    }
    return d.status().equals("completed") ? 0 : 1;
  }

  /**
   * Submits with the Idempotency-Key {@code key}; a 503 carrying {@code Retry-After} (the
   * controller could not create it now), or a request whose answer was lost (sent, but no answer:
   * the job may have been created), is submitted again with the same key after the time asked
   * for (at least 1 s), with a line on stderr, while the total wait stays within {@code bound}:
   * the controller answers a repeat of the key with the job it created, so a retry never creates
   * a second job. Then, and for any other error, the error is thrown.
   */
  private CreatedJob submitRetrying(ControllerClient c, JsonNode dataNode, Duration bound,
      TraceContext trace, String key) throws InterruptedException {
    long start = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        return c.submit(type, dataNode, target, timeoutSeconds, trace, key, rollout());
      } catch (ControllerException e) {
        boolean unavailable = e.status() == 503 && e.retryAfter().isPresent();
        if (!unavailable && !answerLost(e)) {
          throw e;
        }
        Duration wait = e.retryAfter().orElse(Duration.ofSeconds(1))
            .compareTo(Duration.ofSeconds(1)) < 0
            ? Duration.ofSeconds(1) : e.retryAfter().orElse(Duration.ofSeconds(1));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        if (waited.plus(wait).compareTo(bound) > 0) {
          throw e;
        }
        err().println("osapi-app: the controller is unavailable (" + TerminalText.oneLine(
            e.getMessage()) + "); submitting again in " + Durations.format(wait) + " (attempt "
            + (attempt + 1) + ", --retry-for " + Durations.format(bound) + ")");
        err().flush();
        Thread.sleep(wait.toMillis());
      }
    }
  }

  /**
   * Whether a request may have reached the controller and its answer was lost (no status: a
   * reset connection or no answer in time), unlike a controller that could not be reached at all.
   */
  private static boolean answerLost(ControllerException e) {
    return e.status() == 0 && !(e.getCause() instanceof java.net.ConnectException)
        && !(e.getCause() instanceof java.net.http.HttpConnectTimeoutException)
        && !(e.getCause() instanceof InterruptedException);
  }

  /** The create's {@code rollout} from the options (the controller checks the bounds), or null. */
  private JsonNode rollout() {
    if (batchSize == null) {
      if (pauseSeconds != null || maxFailures != null) {
        throw new ConfigException(pauseSeconds != null ? "--pause-seconds" : "--max-failures",
            "applies to a rolling broadcast only: give --batch-size too");
      }
      return null;
    }
    com.fasterxml.jackson.databind.node.ObjectNode r = ApiJson.mapper().createObjectNode();
    if (batchSize.matches("[0-9]{1,9}")) {
      r.put("batch_size", Integer.parseInt(batchSize));
    } else if (batchSize.matches("[0-9]{1,3}%")) {
      r.put("batch_size", batchSize);
    } else {
      throw new ConfigException("--batch-size", "a count such as 2 or a share such as 25%");
    }
    if (pauseSeconds != null) {
      r.put("pause_seconds", pauseSeconds);
    }
    if (maxFailures != null) {
      r.put("max_failures", maxFailures);
    }
    return r;
  }

  /** Polls until the job is terminal; prints a line per status change. Null on timeout. */
  static JobDetail waitForEnd(ControllerClient c, String id, Duration timeout, PrintWriter out)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "submitted";
    Set<String> answered = new HashSet<>();
    String rolled = null;
    while (true) {
      JobDetail d = c.get(id);
      if (!Objects.equals(d.status(), last)) {
        out.println(stamp() + "  " + pad(d.status()) + describe(d));
        out.flush();
        last = d.status();
      }
      String r = WorkerResults.rollout(d);
      if (r != null && !r.equals(rolled)) { // a rolling broadcast's progress, on each change
        out.println(stamp() + "  " + pad("rollout") + r.substring("rollout: ".length()));
        out.flush();
        rolled = r;
      }
      if (WorkerResults.broadcast(d) && d.workers() != null) {
        d.workers().forEach((w, s) -> {
          if (WorkerResults.terminal(s.state()) && answered.add(w)) {
            String took = WorkerResults.duration(s);
            out.println(stamp() + "  " + pad("  " + s.state()) + w
                + (took == null ? "" : " in " + took)
                + (s.error() == null ? "" : ": " + WorkerResults.oneLine(s.error())));
            out.flush();
          }
        });
      }
      if (TERMINAL.contains(d.status())) {
        return d;
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      Thread.sleep(POLL_MS);
    }
  }

  private static String describe(JobDetail d) {
    if (d.workers() == null || d.workers().isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    d.workers().forEach((w, s) -> {
      sb.append(sb.length() == 0 ? "on " : ", ").append(w);
      if (s.durationSeconds() != null) {
        sb.append(" in ").append(s.durationSeconds()).append('s');
      }
    });
    return sb.toString();
  }

  private static String pad(String s) {
    return s.length() >= 12 ? s + " " : s + " ".repeat(12 - s.length());
  }

  private static String stamp() {
    return LocalTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static JsonNode parseData(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    JsonNode n;
    try {
      n = ApiJson.mapper().readTree(text);
    } catch (JacksonException e) {
      throw new ConfigException("--data", "not valid JSON: " + e.getOriginalMessage());
    }
    if (n == null || !n.isObject()) {
      throw new ConfigException("--data", "must be a JSON object like '{\"seconds\": 3}'");
    }
    return n;
  }
}
