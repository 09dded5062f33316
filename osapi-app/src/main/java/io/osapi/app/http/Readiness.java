package io.osapi.app.http;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Whether the process is ready to serve, and if not, why: one short reason per failing subsystem
 * (e.g. {@code nats -> "disconnected"}). Served by {@code /health/ready}.
 *
 * @param ready true when ready
 * @param reasons why not, by subsystem; sorted, null keys dropped, null reasons made empty
 */
public record Readiness(boolean ready, Map<String, String> reasons) {

  private static final Readiness READY = new Readiness(true, Map.of());

  /** Copies and cleans the reasons. */
  public Readiness {
    TreeMap<String, String> clean = new TreeMap<>();
    if (reasons != null) {
      reasons.forEach(
          (k, v) -> {
            if (k != null) {
              clean.put(k, v == null ? "" : v);
            }
          });
    }
    reasons = Collections.unmodifiableMap(clean);
  }

  /** Ready, no reasons. */
  public static Readiness up() {
    return READY;
  }

  /** Not ready, for these reasons. */
  public static Readiness down(Map<String, String> reasons) {
    return new Readiness(false, reasons);
  }
}
