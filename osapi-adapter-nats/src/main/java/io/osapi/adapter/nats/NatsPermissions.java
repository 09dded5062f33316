package io.osapi.adapter.nats;

import io.osapi.core.domain.ConsumerSpec;
import io.osapi.core.domain.OperationKind;
import io.osapi.core.domain.Target;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The NATS subject permissions of one worker's own NATS user, from {@link NatsLayout}: what it may
 * publish (its own heartbeat, its own runs of broadcast jobs, runs of {@code _any} jobs, the
 * JetStream API calls of its own durables and the shared ones, reads of the job and worker-state
 * buckets) and subscribe to (its inboxes). Everything else is denied by nats-server: other
 * workers' heartbeats and runs, job records, notifications, drain requests and key decisions, and
 * every stream or consumer change beyond its own durables.
 *
 * <p>{@link #serverAuthorization} writes a nats-server {@code authorization} block with one
 * unrestricted controller user and one such user per worker (docs/nats-permissions.conf is one).
 * The gap that stays: a run of an {@code _any} job is claimed by whichever worker gets it first,
 * so every worker may write every {@code _any} run; the worker keys (signed run ends) are what
 * tell a forged one.
 */
public final class NatsPermissions {
  /** The prefix of JetStream API subjects. */
  private static final String API = "$JS.API.";

  private NatsPermissions() {}

  /** One worker's NATS user: its name and password (or bcrypt hash), id and labels. */
  public record WorkerUser(String user, String password, String workerId,
      Map<String, String> labels) {
    /** Checks the id and labels as a worker would. */
    public WorkerUser {
      new ConsumerSpec(workerId, labels, Duration.ofSeconds(1), 1);
      labels = labels == null ? Map.of() : Map.copyOf(labels);
    }
  }

  /** The subjects worker {@code workerId} with {@code labels} may publish to. */
  public static List<String> workerPublish(String workerId, Map<String, String> labels) {
    ConsumerSpec spec = new ConsumerSpec(workerId, labels, Duration.ofSeconds(1), 1);
    Set<String> out = new LinkedHashSet<>();
    out.add(NatsLayout.WORKERS_KV_PREFIX + NatsLayout.workerKey(workerId));
    out.add(NatsLayout.JOBS_KV_PREFIX + "runs.*." + workerId);
    out.add(NatsLayout.JOBS_KV_PREFIX + "runs.*._any");
    for (String stream : List.of(NatsLayout.STREAM, NatsLayout.ADVISORY_STREAM,
        NatsLayout.DEADLINE_STREAM, NatsLayout.JOBS_KV_STREAM, NatsLayout.WORKERS_KV_STREAM,
        NatsLayout.WORKER_STATE_KV_STREAM)) {
      out.add(API + "STREAM.INFO." + stream);
    }
    // reads: jobs and runs, drain requests and key decisions, and heartbeats (a worker registers
    // by create-if-absent and reads the entry in its way to name the live process or take over)
    for (String stream : List.of(NatsLayout.JOBS_KV_STREAM, NatsLayout.WORKER_STATE_KV_STREAM,
        NatsLayout.WORKERS_KV_STREAM)) {
      out.add(API + "STREAM.MSG.GET." + stream);
      out.add(API + "DIRECT.GET." + stream + ".>");
    }
    for (OperationKind kind : OperationKind.values()) {
      String shared = NatsLayout.sharedConsumer(kind);
      out.add(API + "CONSUMER.INFO." + NatsLayout.STREAM + "." + shared);
      out.add(API + "CONSUMER.MSG.NEXT." + NatsLayout.STREAM + "." + shared);
      out.add("$JS.ACK." + NatsLayout.STREAM + "." + shared + ".>");
      for (Target t : spec.ownTargets()) {
        String suffix = NatsLayout.suffix(t);
        String name = NatsLayout.ownConsumer(kind, workerId, suffix);
        String filter = NatsLayout.ownSubject(kind, suffix);
        out.add(API + "CONSUMER.INFO." + NatsLayout.STREAM + "." + name);
        // the create names its filter: a durable of this name on another filter is refused
        out.add(API + "CONSUMER.CREATE." + NatsLayout.STREAM + "." + name + "." + filter);
        out.add(API + "CONSUMER.MSG.NEXT." + NatsLayout.STREAM + "." + name);
        out.add("$JS.ACK." + NatsLayout.STREAM + "." + name + ".>");
      }
    }
    return List.copyOf(out);
  }

  /**
   * The subjects a worker may subscribe to: the inboxes its requests are answered on, and the
   * notification subjects of its durables (a core subscription rings the doorbell of a fetch).
   */
  public static List<String> workerSubscribe(String workerId, Map<String, String> labels) {
    ConsumerSpec spec = new ConsumerSpec(workerId, labels, Duration.ofSeconds(1), 1);
    Set<String> out = new LinkedHashSet<>();
    out.add("_INBOX.>");
    for (OperationKind kind : OperationKind.values()) {
      out.add(NatsLayout.sharedSubject(kind));
      for (Target t : spec.ownTargets()) {
        out.add(NatsLayout.ownSubject(kind, NatsLayout.suffix(t)));
      }
    }
    return List.copyOf(out);
  }

  /**
   * A nats-server {@code authorization} block: {@code controllerUser} with no restriction (the
   * controllers own the streams, buckets, job records, drain requests and key decisions) and one
   * restricted user per worker. Passwords are written as given: pass bcrypt hashes ({@code nats
   * server passwd}) for a real server.
   */
  public static String serverAuthorization(String controllerUser, String controllerPassword,
      List<WorkerUser> workers) {
    StringBuilder b = new StringBuilder();
    b.append("authorization {\n  users = [\n");
    b.append("    # controllers: every osapi subject (streams, buckets, job records, drains,"
        + " key decisions)\n");
    b.append("    {user: ").append(quote(controllerUser)).append(", password: ")
        .append(quote(controllerPassword)).append("}\n");
    for (WorkerUser w : workers) {
      b.append("    # worker ").append(w.workerId()).append(": its own heartbeat, runs and"
          + " durables\n");
      b.append("    {user: ").append(quote(w.user())).append(", password: ")
          .append(quote(w.password())).append(", permissions: {\n");
      b.append("      publish: {allow: ").append(list(workerPublish(w.workerId(), w.labels())))
          .append("}\n");
      b.append("      subscribe: {allow: ").append(list(workerSubscribe(w.workerId(), w.labels()))).append("}\n");
      b.append("    }}\n");
    }
    b.append("  ]\n}\n");
    return b.toString();
  }

  private static String list(List<String> subjects) {
    List<String> q = new ArrayList<>(subjects.size());
    subjects.forEach(s -> q.add(quote(s)));
    return "[\n        " + String.join(",\n        ", q) + "\n      ]";
  }

  private static String quote(String s) {
    if (s.indexOf('"') >= 0 || s.indexOf('\\') >= 0 || s.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("no quotes, backslashes or newlines in " + s);
    }
    return "\"" + s + "\"";
  }
}
