package io.osapi.adapter.nats;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the nats-server {@code authorization} block of {@link NatsPermissions} for the workers
 * named on the command line, with password placeholders to replace by bcrypt hashes ({@code nats
 * server passwd}):
 *
 * <pre>
 * java -cp osapi-app.jar io.osapi.adapter.nats.NatsPermissionsTool \
 *     --controller osapi-controller --worker web01:group=web.dev,zone=eu --worker db01
 * </pre>
 *
 * <p>A worker is {@code ID[:k=v[,k=v]]}, its NATS user named like its id. Exit 2 with a message
 * for a bad argument.
 */
public final class NatsPermissionsTool {
  private NatsPermissionsTool() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool: 0 when the block was written, 2 for bad arguments. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    String controller = null;
    List<NatsPermissions.WorkerUser> workers = new ArrayList<>();
    try {
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if ((a.equals("--controller") || a.equals("--worker")) && i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        if (a.equals("--controller")) {
          controller = args[++i];
        } else if (a.equals("--worker")) {
          workers.add(worker(args[++i]));
        } else {
          throw new IllegalArgumentException("unknown argument " + a
              + " (use --controller USER --worker ID[:k=v,...] ...)");
        }
      }
      if (controller == null || workers.isEmpty()) {
        throw new IllegalArgumentException("give --controller USER and at least one --worker");
      }
      out.print(NatsPermissions.serverAuthorization(controller, placeholder(controller), workers));
      return 0;
    } catch (RuntimeException e) {
      err.println("nats-permissions: " + e.getMessage());
      return 2;
    }
  }

  private static NatsPermissions.WorkerUser worker(String spec) {
    int colon = spec.indexOf(':');
    String id = colon < 0 ? spec : spec.substring(0, colon);
    Map<String, String> labels = new LinkedHashMap<>();
    if (colon >= 0) {
      for (String kv : spec.substring(colon + 1).split(",")) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
          throw new IllegalArgumentException("label " + kv + " of worker " + id + " is not k=v");
        }
        labels.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return new NatsPermissions.WorkerUser(id, placeholder(id), id, labels);
  }

  private static String placeholder(String user) {
    return "REPLACE-WITH-BCRYPT-HASH-OF-" + user + "-PASSWORD";
  }
}
