package io.osapi.core.operations;

import io.osapi.core.domain.JobId;
import io.osapi.core.domain.Operation;
import io.osapi.core.domain.OperationContext;
import io.osapi.core.domain.OperationRegistry;
import io.osapi.core.internal.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Runs host operations the way a worker does, and looks at real processes in /proc. */
public final class HostOps {
  private HostOps() {}

  /** The context a worker gives a handler for {@code type} with {@code data}. */
  public static OperationContext context(String type, String data) {
    return new OperationContext(JobId.generate(Clock.systemUTC()), new Operation(type, data),
        "w1", Map.of(), 1);
  }

  /** Runs {@code type} of {@code registry} with {@code data}; returns the result parsed. */
  public static Map<String, Object> run(OperationRegistry registry, String type, String data)
      throws Exception {
    return Json.parseObject(registry.require(type).handler().execute(context(type, data)));
  }

  /** Whether {@code pid} is a live process (a zombie is dead: it only waits to be reaped). */
  public static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      char state = s.substring(s.lastIndexOf(')') + 2).charAt(0);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  /** The pids written one a line to {@code file} (empty when it does not exist yet). */
  public static List<Long> pids(Path file) {
    List<Long> out = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(file)) {
        if (!line.isBlank()) {
          out.add(Long.parseLong(line.strip()));
        }
      }
    } catch (IOException e) {
      // not written yet
    }
    return out;
  }

  /** A JSON string literal of {@code s}. */
  public static String q(String s) {
    StringBuilder sb = new StringBuilder();
    Json.quote(sb, s);
    return sb.toString();
  }
}
